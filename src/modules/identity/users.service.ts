import { sealUserFields } from '../../platform/personal-data.ts';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { agencies, userRoles, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { endSessionsOf, forgetSessionsOfUser, requireRole } from '../../platform/auth.ts';
import type { Ctx, Role } from '../../platform/context.ts';
import { AppError, notFound, type ErrorReasons } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nfc, normalisePhone, PHONE_INVALID } from '../../platform/text.ts';
import { hashPassword } from './passwords.ts';

export interface RoleInput {
  role: Role;
  agencyCode?: string | undefined;
  includeChildren?: boolean | undefined;
}

const STAFF: Role[] = ['reception', 'specialist', 'leader'];

/** Resolves agency codes and checks each role's shape: staff roles need an agency, others none. */
async function resolveRoles(ctx: Ctx, roles: RoleInput[], kind: 'citizen' | 'organisation' | 'staff') {
  const codes = [...new Set(roles.map((r) => r.agencyCode).filter((c): c is string => !!c))];
  const found = codes.length ? await ctx.db.select({ id: agencies.id, code: agencies.code }).from(agencies).where(inArray(agencies.code, codes)) : [];
  const errors = [];
  const seen = new Set<string>();
  for (const [i, r] of roles.entries()) {
    if (seen.has(r.role)) errors.push({ path: `roles.${i}.role`, message: 'Mỗi vai trò chỉ một lần' });
    seen.add(r.role);
    if (STAFF.includes(r.role) && !r.agencyCode) errors.push({ path: `roles.${i}.agencyCode`, message: 'Vai trò cán bộ cần một cơ quan' });
    if (!STAFF.includes(r.role) && r.agencyCode) errors.push({ path: `roles.${i}.agencyCode`, message: 'Vai trò này không gắn với cơ quan' });
    if (r.agencyCode && !found.some((a) => a.code === r.agencyCode))
      errors.push({ path: `roles.${i}.agencyCode`, message: `Cơ quan ${r.agencyCode} không tồn tại` });
    const fits = kind === 'staff' ? r.role !== 'citizen' && r.role !== 'organisation' : r.role === kind;
    if (!fits) errors.push({ path: `roles.${i}.role`, message: `Vai trò ${r.role} không hợp với loại tài khoản ${kind}` });
  }
  if (errors.length) throw new AppError('invalid', 'USER_ROLES_INVALID', { userMessage: 'Vai trò không hợp lệ.', errors });
  return roles.map((r) => ({
    role: r.role,
    agencyId: r.agencyCode ? found.find((a) => a.code === r.agencyCode)!.id : null,
    includeChildren: r.includeChildren ?? false,
  }));
}

/** Accounts with their roles (administrators). */
export async function listUsers(ctx: Ctx, q: { role?: Role | undefined; agency?: string | undefined }) {
  requireRole(ctx.actor, 'admin');
  return queryRows<{ id: string; username: string; display_name: string; kind: string; is_active: boolean; roles: unknown }>(
    ctx.db,
    sql`SELECT u.id, u.username, u.display_name, u.kind, u.is_active,
          coalesce(json_agg(json_build_object('role', r.role, 'agencyCode', a.code, 'includeChildren', r.include_children) ORDER BY r.role)
            FILTER (WHERE r.role IS NOT NULL), '[]'::json) AS roles
        FROM users u LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN agencies a ON a.id = r.agency_id
        WHERE (${q.role ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM user_roles x WHERE x.user_id = u.id AND x.role = ${q.role ?? null}))
          AND (${q.agency ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM user_roles x JOIN agencies y ON y.id = x.agency_id WHERE x.user_id = u.id AND y.code = ${q.agency ?? null}))
        GROUP BY u.id ORDER BY u.username LIMIT 1000`,
  );
}

/**
 * The account's phone in its national form (`normalisePhone`: a mobile or a landline), or a 422
 * naming the field: the same rule as an applicant's phone on a dossier.
 */
export function accountPhone(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const phone = normalisePhone(raw);
  if (phone === null)
    throw new AppError('invalid', 'VALIDATION_FAILED', {
      userMessage: `Số điện thoại: ${PHONE_INVALID}.`,
      errors: [{ path: 'phone', message: PHONE_INVALID }],
    });
  return phone;
}

/** Creates an account (administrators). Errors: VALIDATION_FAILED (phone), USERNAME_TAKEN, USER_ROLES_INVALID. */
export async function createUser(
  ctx: Ctx,
  input: {
    username: string;
    displayName: string;
    password: string;
    kind: 'citizen' | 'organisation' | 'staff';
    idNumber?: string | undefined;
    taxCode?: string | undefined;
    phone?: string | undefined;
    email?: string | undefined;
    roles: RoleInput[];
  },
) {
  requireRole(ctx.actor, 'admin');
  input = { ...input, phone: accountPhone(input.phone) };
  const roles = await resolveRoles(ctx, input.roles, input.kind);
  const passwordHash = await hashPassword(input.password);
  const id = newId();
  await ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(users)
      .values({
        id,
        username: input.username,
        displayName: nfc(input.displayName),
        passwordHash,
        kind: input.kind,
        ...sealUserFields(ctx.keyring, id, input),
        taxCode: input.taxCode ?? null,
        email: input.email ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!inserted.length)
      throw new AppError('conflict', 'USERNAME_TAKEN', {
        userMessage: `Tên đăng nhập ${input.username} đã có người dùng.`,
        cause: { params: { username: input.username } } satisfies ErrorReasons,
      });
    if (roles.length) await tx.insert(userRoles).values(roles.map((r) => ({ userId: id, ...r })));
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'user.create', targetType: 'user', targetId: id, details: { username: input.username, roles: input.roles } },
    );
  });
  return id;
}

/** Replaces an account's roles (administrators); takes effect within the session cache time. */
export async function replaceUserRoles(ctx: Ctx, username: string, input: RoleInput[]) {
  requireRole(ctx.actor, 'admin');
  const [u] = await ctx.db.select({ id: users.id, kind: users.kind }).from(users).where(eq(users.username, username));
  if (!u) throw notFound('USER_NOT_FOUND', 'tài khoản');
  const roles = await resolveRoles(ctx, input, u.kind as 'citizen' | 'organisation' | 'staff');
  await ctx.db.transaction(async (tx) => {
    await tx.delete(userRoles).where(eq(userRoles.userId, u.id));
    if (roles.length) await tx.insert(userRoles).values(roles.map((r) => ({ userId: u.id, ...r })));
    await writeAudit({ ...ctx, db: tx }, { action: 'user.roles.replace', targetType: 'user', targetId: u.id, details: { roles: input } });
  });
}

/**
 * Activates or deactivates an account, or renames it (administrators). Deactivating ends every
 * session of the account in the same transaction, as an administrator's revocation does (the audit
 * record counts them in `sessionsEnded`), and this instance stops accepting them at once; other
 * instances within the session cache time (5 s). Reactivating an inactive account also ends any
 * session still open in the database (left from before deactivation ended them), so an old
 * token never comes back. Errors: USER_NOT_FOUND, USER_SELF_DEACTIVATION.
 */
export async function updateUser(ctx: Ctx, username: string, patch: { isActive?: boolean | undefined; displayName?: string | undefined }) {
  const actor = requireRole(ctx.actor, 'admin');
  const [u] = await ctx.db.select({ id: users.id, isActive: users.isActive }).from(users).where(eq(users.username, username));
  if (!u) throw notFound('USER_NOT_FOUND', 'tài khoản');
  if (u.id === actor.userId && patch.isActive === false) {
    throw new AppError('conflict', 'USER_SELF_DEACTIVATION', { userMessage: 'Không thể tự khoá tài khoản của mình.' });
  }
  const endsSessions = patch.isActive === false || (patch.isActive === true && !u.isActive);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ ...(patch.isActive !== undefined ? { isActive: patch.isActive } : {}), ...(patch.displayName ? { displayName: nfc(patch.displayName) } : {}) })
      .where(and(eq(users.id, u.id)));
    const ended = endsSessions ? await endSessionsOf(tx, u.id, ctx.now) : [];
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'user.update', targetType: 'user', targetId: u.id, details: { ...patch, ...(endsSessions ? { sessionsEnded: ended.length } : {}) } },
    );
  });
  if (endsSessions) forgetSessionsOfUser(u.id);
}
