/**
 * Personal-data rights (Decree 13/2023/NĐ-CP): a person can download everything the platform
 * holds about them, and ask for correction or deletion. Deletion anonymises or deletes what the
 * law lets go and keeps what it requires, and the answer says which, category by category, with
 * the legal reason for what is kept.
 */
import { openApplicantRow, openForm, openUserFields } from '../../platform/personal-data.ts';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor, requireRole, type SessionStore } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { toIso } from '../../platform/time.ts';

type Row = Record<string, unknown>;

/** ISO 8601 with +07:00 for every timestamp in an exported row (JSON keeps them as strings). */
// A timestamptz as the drivers may return it in raw queries: `2026-11-27 06:58:50.105+07`.
const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:?\d{2})?|Z)$/;

function isoRow(r: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] =
      v instanceof Date
        ? toIso(v)
        : typeof v === 'string' && PG_TIMESTAMPTZ.test(v)
          ? toIso(new Date(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')))
          : v;
  }
  return out;
}

const rows = async (db: Db, q: ReturnType<typeof sql>) => (await queryRows<Row>(db, q)).map(isoRow);

/**
 * Everything held about the signed-in person, as one JSON document. Secrets (password and
 * session hashes, the two-factor secret, recovery codes) are named but not included.
 */
export async function exportMyData(ctx: Ctx) {
  const actor = requireActor(ctx.actor);
  const me = actor.userId;
  const db = ctx.db;
  const [account] = await rows(
    db,
    sql`SELECT id, username, display_name, kind, id_number_enc, phone_enc, tax_code, email, is_active, created_at,
          (password_hash IS NOT NULL) AS has_password FROM users WHERE id = ${me}`,
  );
  if (!account) throw notFound('USER_NOT_FOUND', 'tài khoản');
  // Stored encrypted: the person gets the values, not the ciphertexts.
  const { id_number_enc, phone_enc, ...accountRest } = account as Record<string, unknown> & {
    id: string;
    id_number_enc: string | null;
    phone_enc: string | null;
  };
  const accountFields = openUserFields(ctx.keyring, { id: accountRest.id, idNumberEnc: id_number_enc, phoneEnc: phone_enc });
  const dossierIds = sql`(SELECT id FROM dossiers WHERE applicant_user_id = ${me} OR (created_by = ${me} AND status = 'draft'))`;
  const data = {
    exportedAt: toIso(ctx.now),
    account: { ...accountRest, id_number: accountFields.idNumber, phone: accountFields.phone },
    roles: await rows(
      db,
      sql`SELECT r.role, a.code AS agency_code, r.include_children FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.user_id = ${me} ORDER BY r.role`,
    ),
    sessions: await rows(
      db,
      sql`SELECT id, created_at, expires_at, revoked_at, last_seen_at, ip, user_agent, auth_method FROM sessions WHERE user_id = ${me} ORDER BY created_at DESC`,
    ),
    linkedIdentities: await rows(db, sql`SELECT issuer, subject, created_at FROM external_identities WHERE user_id = ${me}`),
    twoFactor: await rows(db, sql`SELECT (confirmed_at IS NOT NULL) AS enabled, created_at FROM user_totp WHERE user_id = ${me}`),
    consents: await rows(db, sql`SELECT * FROM consents WHERE user_id = ${me} ORDER BY purpose`),
    dossiers: (
      await rows(
        db,
        sql`SELECT id, code, procedure_code, procedure_version, status, channel, applicant_type, applicant, applicant_id_number_enc, applicant_phone_enc,
              form, unit_code, submitted_at, received_at, due_at, finished_at, returned_at, created_at, updated_at
            FROM dossiers WHERE id IN ${dossierIds} ORDER BY created_at`,
      )
    ).map((r) => {
      const { applicant_id_number_enc, applicant_phone_enc, ...rest } = r as Record<string, unknown> & {
        id: string;
        applicant: unknown;
        applicant_id_number_enc: string | null;
        applicant_phone_enc: string | null;
      };
      return {
        ...rest,
        applicant: openApplicantRow(ctx.keyring, { id: rest.id, applicant: rest.applicant, applicant_id_number_enc, applicant_phone_enc }),
        form: openForm(ctx.keyring, rest.id, rest.form),
      };
    }),
    files: await rows(
      db,
      sql`SELECT id, dossier_id, component_code, file_name, media_type, size, sha256, created_at, removed_at FROM dossier_files WHERE dossier_id IN ${dossierIds} ORDER BY created_at`,
    ),
    history: await rows(
      db,
      sql`SELECT dossier_id, at, action, actor_role, from_status, to_status, note FROM dossier_history WHERE dossier_id IN ${dossierIds} ORDER BY dossier_id, id`,
    ),
    ratings: await rows(db, sql`SELECT dossier_id, rating, comment, created_at FROM dossier_ratings WHERE user_id = ${me}`),
    payments: await rows(db, sql`SELECT * FROM payments WHERE dossier_id IN ${dossierIds} ORDER BY created_at`),
    notifications: await rows(
      db,
      sql`SELECT id, dossier_id, kind, title, body, created_at, read_at FROM notifications WHERE user_id = ${me} ORDER BY created_at, id`,
    ),
    notificationDeliveries: await rows(
      db,
      sql`SELECT id, dossier_id, channel, recipient_masked AS recipient, template, status, attempts, sent_at, created_at FROM notification_deliveries WHERE user_id = ${me} ORDER BY created_at`,
    ),
    dataRequests: await rows(
      db,
      sql`SELECT id, kind, status, details, outcome, created_at, resolved_at, resolution FROM data_requests WHERE user_id = ${me} ORDER BY created_at`,
    ),
    activity: await rows(db, sql`SELECT at, action, target_type, target_id, ip, outcome FROM audit_log WHERE actor_id = ${me} ORDER BY seq DESC LIMIT 5000`),
    notIncluded: [
      'mật khẩu (chỉ lưu dạng băm argon2id)',
      'mã phiên đăng nhập (chỉ lưu dạng băm)',
      'khóa bí mật xác thực hai lớp',
      'mã khôi phục (chỉ lưu dạng băm)',
    ],
  };
  await writeAudit(ctx, { action: 'privacy.export', targetType: 'user', targetId: me, details: { dossiers: data.dossiers.length } });
  return data;
}

export interface CategoryOutcome {
  category: string;
  action: 'deleted' | 'anonymised' | 'kept';
  count: number;
  /** Why it is kept (the law that requires it), or what was done. */
  reason: string;
}

/** How many rows a data-changing statement touched (RETURNING works the same on PostgreSQL and PGlite). */
const affected = async (db: Db, statement: ReturnType<typeof sql>) => (await queryRows(db, sql`${statement} RETURNING 1 AS one`)).length;

/**
 * Deletes a citizen's or organisation's personal data at once: what the law lets go is deleted
 * or anonymised, what it requires is kept (and said so). Staff accounts are closed by an
 * administrator instead (their records are official acts). Errors: PRIVACY_STAFF_ACCOUNT.
 */
export async function deleteMyData(ctx: Ctx, deps: { files: LocalFileStore; sessions: SessionStore }, details: string) {
  const actor = requireActor(ctx.actor);
  if (actor.kind === 'staff') {
    throw new AppError('conflict', 'PRIVACY_STAFF_ACCOUNT', {
      userMessage: 'Tài khoản cán bộ do quản trị viên đóng; hồ sơ công vụ của cán bộ phải được lưu giữ.',
    });
  }
  const me = actor.userId;
  const requestId = newId();
  const { outcome, orphanKeys } = await ctx.db.transaction(async (tx) => {
    const out: CategoryOutcome[] = [];
    const drafts = sql`(SELECT id FROM dossiers WHERE status = 'draft' AND (applicant_user_id = ${me} OR created_by = ${me}))`;
    const draftFiles = await queryRows<{ storage_key: string }>(tx, sql`SELECT DISTINCT storage_key FROM dossier_files WHERE dossier_id IN ${drafts}`);
    const draftFileRows = await affected(tx, sql`DELETE FROM dossier_files WHERE dossier_id IN ${drafts}`);
    // Draft rows stay as empty shells (their history is append-only); every personal detail goes.
    const draftRows = await affected(
      tx,
      sql`UPDATE dossiers SET applicant = jsonb_build_object('type', applicant_type, 'fullName', 'Người dùng đã xóa'),
                             applicant_id_number_enc = NULL, applicant_id_number_hash = NULL, applicant_phone_enc = NULL, form = '{}'::jsonb, search_text = '', unit_code = NULL, applicant_user_id = NULL, updated_at = ${ctx.now}
                           WHERE status = 'draft' AND (applicant_user_id = ${me} OR created_by = ${me})`,
    );
    out.push({
      category: 'Hồ sơ nháp chưa nộp và giấy tờ đính kèm',
      action: 'deleted',
      count: draftRows,
      reason: `Chưa gửi đến cơ quan nhà nước: đã xóa thông tin người nộp, câu trả lời và ${draftFileRows} tệp.`,
    });
    out.push({
      category: 'Thông báo trong tài khoản',
      action: 'deleted',
      count: await affected(tx, sql`DELETE FROM notifications WHERE user_id = ${me}`),
      reason: 'Không còn cần cho việc giải quyết hồ sơ.',
    });
    out.push({
      category: 'Đồng ý xử lý dữ liệu cho mục đích tùy chọn',
      action: 'deleted',
      count: await affected(tx, sql`DELETE FROM consents WHERE user_id = ${me}`),
      reason: 'Rút lại mọi sự đồng ý.',
    });
    out.push({
      category: 'Liên kết định danh điện tử VNeID',
      action: 'deleted',
      count: await affected(tx, sql`DELETE FROM external_identities WHERE user_id = ${me}`),
      reason: 'Hủy liên kết.',
    });
    out.push({
      category: 'Địa chỉ nhận thông báo (thư điện tử, số điện thoại) trong nhật ký gửi',
      action: 'anonymised',
      count: await affected(tx, sql`UPDATE notification_deliveries SET recipient = recipient_masked, user_id = NULL WHERE user_id = ${me}`),
      reason: 'Chỉ giữ dạng che một phần để chứng minh đã thông báo.',
    });
    out.push({
      category: 'Phiên đăng nhập',
      action: 'deleted',
      count: await affected(tx, sql`UPDATE sessions SET revoked_at = ${ctx.now}, ip = NULL, user_agent = NULL WHERE user_id = ${me}`),
      reason: 'Đã đăng xuất khỏi mọi thiết bị và xóa địa chỉ IP, trình duyệt.',
    });
    await tx.execute(sql`DELETE FROM recovery_codes WHERE user_id = ${me}`);
    await tx.execute(sql`DELETE FROM user_totp WHERE user_id = ${me}`);
    await tx.execute(sql`UPDATE users SET username = ${`da-xoa-${me.slice(-12)}`}, display_name = 'Người dùng đã xóa', id_number_enc = NULL, id_number_hash = NULL, tax_code = NULL, phone_enc = NULL, email = NULL,
                           password_hash = NULL, is_active = false WHERE id = ${me}`);
    out.push({
      category: 'Tài khoản (tên, số định danh, mã số thuế, điện thoại, thư điện tử, mật khẩu)',
      action: 'anonymised',
      count: 1,
      reason: 'Tài khoản bị khóa vĩnh viễn và không còn dữ liệu nhận diện.',
    });
    const [kept] = await queryRows<{ n: string | number }>(tx, sql`SELECT count(*) AS n FROM dossiers WHERE applicant_user_id = ${me} AND status <> 'draft'`);
    out.push({
      category: 'Hồ sơ thủ tục hành chính đã nộp (thông tin người nộp, biểu mẫu, giấy tờ, kết quả)',
      action: 'kept',
      count: Number(kept?.n ?? 0),
      reason: 'Phải lưu trữ theo Luật Lưu trữ 2024 và Nghị định 61/2018/NĐ-CP về cơ chế một cửa; người dân vẫn tra cứu được bằng mã hồ sơ.',
    });
    const [paid] = await queryRows<{ n: string | number }>(
      tx,
      sql`SELECT count(*) AS n FROM payments WHERE dossier_id IN (SELECT id FROM dossiers WHERE applicant_user_id = ${me})`,
    );
    out.push({
      category: 'Chứng từ thanh toán phí, lệ phí',
      action: 'kept',
      count: Number(paid?.n ?? 0),
      reason: 'Phải lưu giữ 10 năm theo Luật Kế toán 2015.',
    });
    const [logged] = await queryRows<{ n: string | number }>(tx, sql`SELECT count(*) AS n FROM audit_log WHERE actor_id = ${me}`);
    out.push({
      category: 'Nhật ký truy cập và thao tác',
      action: 'kept',
      count: Number(logged?.n ?? 0),
      reason: 'Yêu cầu bảo đảm an toàn hệ thống thông tin cấp độ 3 (Nghị định 85/2016/NĐ-CP); nhật ký không thể sửa, xóa.',
    });
    await tx.execute(sql`INSERT INTO data_requests (id, user_id, kind, status, details, outcome, created_at, resolved_at, resolved_by, resolution)
                         VALUES (${requestId}, ${me}, 'deletion', 'done', ${details}, ${JSON.stringify({ categories: out })}::jsonb, ${ctx.now}, ${ctx.now}, ${me}, 'Thực hiện tự động')`);
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: 'privacy.delete',
        targetType: 'user',
        targetId: me,
        details: { requestId, categories: out.map((c) => ({ category: c.category, action: c.action, count: c.count })) },
      },
    );
    // Files whose last row went with the drafts: removed from disk after commit.
    const stillUsed = draftFiles.length
      ? new Set(
          (
            await queryRows<{ storage_key: string }>(
              tx,
              sql`SELECT DISTINCT storage_key FROM dossier_files WHERE storage_key IN (${sql.join(
                draftFiles.map((f) => sql`${f.storage_key}`),
                sql`, `,
              )})`,
            )
          ).map((r) => r.storage_key),
        )
      : new Set<string>();
    return { outcome: out, orphanKeys: draftFiles.map((f) => f.storage_key).filter((k) => !stillUsed.has(k)) };
  });
  deps.sessions.forget((a) => a.userId === me);
  for (const key of orphanKeys) await deps.files.remove(key);
  return { requestId, categories: outcome };
}

/** A correction request: recorded for the data controller (administrators) to act on. */
export async function requestCorrection(ctx: Ctx, details: string) {
  const actor = requireActor(ctx.actor);
  const id = newId();
  await ctx.db.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO data_requests (id, user_id, kind, status, details, created_at) VALUES (${id}, ${actor.userId}, 'correction', 'open', ${details}, ${ctx.now})`,
    );
    await writeAudit({ ...ctx, db: tx }, { action: 'privacy.correction.request', targetType: 'data_request', targetId: id });
  });
  return getRequest(ctx.db, id);
}

async function getRequest(db: Db, id: string) {
  const [r] = await queryRows<{
    id: string;
    user_id: string;
    username: string;
    kind: string;
    status: string;
    details: string;
    outcome: unknown;
    created_at: Date;
    resolved_at: Date | null;
    resolution: string | null;
  }>(
    db,
    sql`SELECT d.id, d.user_id, u.username, d.kind, d.status, d.details, d.outcome, d.created_at, d.resolved_at, d.resolution
        FROM data_requests d JOIN users u ON u.id = d.user_id WHERE d.id = ${id}`,
  );
  if (!r) throw notFound('DATA_REQUEST_NOT_FOUND', 'yêu cầu');
  return toView(r);
}

function toView(r: {
  id: string;
  username: string;
  kind: string;
  status: string;
  details: string;
  outcome: unknown;
  created_at: Date | string;
  resolved_at: Date | string | null;
  resolution: string | null;
}) {
  return {
    id: r.id,
    username: r.username,
    kind: r.kind as 'correction' | 'deletion',
    status: r.status as 'open' | 'done' | 'rejected',
    details: r.details,
    outcome: (r.outcome ?? {}) as Record<string, unknown>,
    createdAt: toIso(new Date(r.created_at)),
    resolvedAt: r.resolved_at ? toIso(new Date(r.resolved_at)) : null,
    resolution: r.resolution,
  };
}

export async function listMyRequests(ctx: Ctx) {
  const actor = requireActor(ctx.actor);
  const list = await queryRows<Parameters<typeof toView>[0]>(
    ctx.db,
    sql`SELECT d.id, u.username, d.kind, d.status, d.details, d.outcome, d.created_at, d.resolved_at, d.resolution
        FROM data_requests d JOIN users u ON u.id = d.user_id WHERE d.user_id = ${actor.userId} ORDER BY d.created_at DESC`,
  );
  return list.map(toView);
}

/** Requests for the data controller (administrators), oldest open first. */
export async function listRequests(ctx: Ctx, status: 'open' | 'done' | 'rejected' | undefined) {
  requireRole(ctx.actor, 'admin');
  const list = await queryRows<Parameters<typeof toView>[0]>(
    ctx.db,
    sql`SELECT d.id, u.username, d.kind, d.status, d.details, d.outcome, d.created_at, d.resolved_at, d.resolution
        FROM data_requests d JOIN users u ON u.id = d.user_id
        WHERE ${status ?? null}::text IS NULL OR d.status = ${status ?? null} ORDER BY d.created_at LIMIT 500`,
  );
  return list.map(toView);
}

/** Closes an open correction request (administrators). Errors: DATA_REQUEST_NOT_FOUND, DATA_REQUEST_CLOSED. */
export async function resolveRequest(ctx: Ctx, id: string, input: { status: 'done' | 'rejected'; resolution: string }) {
  const actor = requireRole(ctx.actor, 'admin');
  await ctx.db.transaction(async (tx) => {
    const [r] = await queryRows<{ status: string }>(tx, sql`SELECT status FROM data_requests WHERE id = ${id} FOR UPDATE`);
    if (!r) throw notFound('DATA_REQUEST_NOT_FOUND', 'yêu cầu');
    if (r.status !== 'open') throw new AppError('conflict', 'DATA_REQUEST_CLOSED', { userMessage: 'Yêu cầu này đã được xử lý.' });
    await tx.execute(
      sql`UPDATE data_requests SET status = ${input.status}, resolution = ${input.resolution}, resolved_at = ${ctx.now}, resolved_by = ${actor.userId} WHERE id = ${id}`,
    );
    await writeAudit({ ...ctx, db: tx }, { action: 'privacy.request.resolve', targetType: 'data_request', targetId: id, details: { status: input.status } });
  });
  return getRequest(ctx.db, id);
}
