import type { Keyring } from '../../platform/crypto.ts';
import { sealUserFields } from '../../platform/personal-data.ts';
import { eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../client.ts';
import { adminUnitSuccessions, agencies, procedureFields, userRoles, users } from '../schema.ts';
import type { Actor, Ctx, Role } from '../../platform/context.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { hashPassword } from '../../modules/identity/passwords.ts';
import { createProcedure, publishProcedureVersion } from '../../modules/procedures/procedures.service.ts';
import { upsertUnits } from '../../modules/reference/reference.service.ts';
import { demoProcedures } from './catalogue.ts';
import { generateDemoDossiers, staffAddress } from './generate-dossiers.ts';
import { demoAgencies, demoCommunes, demoFields, demoPreviousUnits, demoProvince, demoSuccessions, PROVINCIAL_CENTRE_CODE } from './reference.ts';

export const DEMO_PASSWORD = 'tinhso-demo';

/** How long before the seed's "now" the demo catalogue was published: before every generated dossier (at most 365 days old). */
export const DEMO_CATALOGUE_LEAD_DAYS = 400;

/** When the seed publishes the demo catalogue (its procedures' creation and version 1's publication). */
export const demoCataloguePublishedAt = (now: Date): Date => new Date(now.getTime() - DEMO_CATALOGUE_LEAD_DAYS * 86_400_000);

/**
 * Where the demo's administrator publishes the catalogue from: a workstation of the provincial
 * office on the province network (10.37.0.0/24, which no service centre's workstations use), so the
 * catalogue's audit records carry an address, as the generated dossiers' records do.
 */
export const DEMO_ADMIN_ADDRESS = staffAddress(0, 10);

export interface DemoAccount {
  username: string;
  displayName: string;
  kind: 'citizen' | 'organisation' | 'staff';
  role: Role;
  agencyCode: string | null;
  idNumber?: string;
  taxCode?: string;
  phone?: string;
  email?: string;
  description: string;
}

/** The documented demo accounts (README); never created in production. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    username: 'citizen.an',
    displayName: 'Nguyễn Văn An',
    kind: 'citizen',
    role: 'citizen',
    agencyCode: null,
    idNumber: '036090001234',
    phone: '0912345678',
    email: 'an@example.vn',
    description: 'công dân (citizen)',
  },
  {
    username: 'citizen.binh',
    displayName: 'Trần Thị Bình',
    kind: 'citizen',
    role: 'citizen',
    agencyCode: null,
    idNumber: '036195004321',
    phone: '0987654321',
    description: 'công dân (citizen)',
  },
  {
    username: 'business.cuong',
    displayName: 'Lê Văn Cường (Công ty TNHH Cường Thịnh)',
    kind: 'organisation',
    role: 'organisation',
    agencyCode: null,
    idNumber: '036085007777',
    taxCode: '0601234567',
    description: 'doanh nghiệp (organisation)',
  },
  {
    username: 'reception.dung',
    displayName: 'Phạm Thị Dung',
    kind: 'staff',
    role: 'reception',
    agencyCode: PROVINCIAL_CENTRE_CODE,
    description: 'bộ phận một cửa (reception desk), TTPVHCC tỉnh',
  },
  {
    username: 'specialist.giang',
    displayName: 'Hoàng Văn Giang',
    kind: 'staff',
    role: 'specialist',
    agencyCode: PROVINCIAL_CENTRE_CODE,
    description: 'chuyên viên (specialist), TTPVHCC tỉnh',
  },
  {
    username: 'leader.hoa',
    displayName: 'Vũ Thị Hoa',
    kind: 'staff',
    role: 'leader',
    agencyCode: PROVINCIAL_CENTRE_CODE,
    description: 'lãnh đạo (leader), TTPVHCC tỉnh',
  },
  {
    username: 'officer.khanh',
    displayName: 'Đỗ Minh Khánh',
    kind: 'staff',
    role: 'specialist',
    agencyCode: 'TTPVHCC-13669',
    description: 'chuyên viên của cơ quan khác (specialist, another agency)',
  },
  { username: 'admin.lan', displayName: 'Ngô Thị Lan', kind: 'staff', role: 'admin', agencyCode: null, description: 'quản trị (administrator)' },
  {
    username: 'security.minh',
    displayName: 'Trịnh Văn Minh',
    kind: 'staff',
    role: 'security',
    agencyCode: null,
    description: 'cán bộ giám sát an toàn thông tin (security officer)',
  },
];

export async function isSeeded(db: Db): Promise<boolean> {
  const [r] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, PROVINCIAL_CENTRE_CODE)).limit(1);
  return !!r;
}

/**
 * Loads the demo province: units, agencies, fields, the catalogue (through the same use cases
 * an administrator uses), the demo accounts, and a year of generated dossiers.
 */
export async function seedDemo(db: Db, files: LocalFileStore, log: FastifyBaseLogger, opts: { dossiers: number; now?: Date; keyring: Keyring }): Promise<void> {
  const now = opts.now ?? new Date();
  await db.transaction(async (tx) => {
    await upsertUnits(tx, [demoProvince, ...demoCommunes, ...demoPreviousUnits]);
    await tx
      .insert(adminUnitSuccessions)
      .values(demoSuccessions.map((s) => ({ fromCode: s.fromCode, toCode: s.toCode, effectiveDate: s.effectiveDate, note: s.note })))
      .onConflictDoNothing();
    const ids = new Map<string, string>();
    for (const a of demoAgencies) ids.set(a.code, newId());
    // Parents first: insert without parents, then link.
    await tx.insert(agencies).values(
      demoAgencies.map((a) => ({
        id: ids.get(a.code)!,
        code: a.code,
        name: a.name,
        shortName: a.shortName,
        identityCode: a.identityCode,
        parentId: null,
        unitCode: a.unitCode,
        kind: a.kind,
      })),
    );
    for (const a of demoAgencies) {
      if (a.parentCode)
        await tx
          .update(agencies)
          .set({ parentId: ids.get(a.parentCode)! })
          .where(eq(agencies.id, ids.get(a.code)!));
    }
    await tx.insert(procedureFields).values(demoFields.map((f) => ({ code: f.code, name: f.name })));
    const hash = await hashPassword(DEMO_PASSWORD);
    for (const acc of DEMO_ACCOUNTS) {
      const id = newId();
      await tx.insert(users).values({
        id,
        username: acc.username,
        displayName: acc.displayName,
        passwordHash: hash,
        kind: acc.kind,
        ...sealUserFields(opts.keyring, id, { idNumber: acc.idNumber, phone: acc.phone }),
        taxCode: acc.taxCode ?? null,
        email: acc.email ?? null,
      });
      await tx.insert(userRoles).values({ userId: id, role: acc.role, agencyId: acc.agencyCode ? ids.get(acc.agencyCode)! : null });
    }
  });

  // The catalogue goes through the administrators' use cases, so demo data obeys the same rules.
  const [admin] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'admin.lan'));
  const actor: Actor = {
    userId: admin!.id,
    username: 'admin.lan',
    displayName: 'seed',
    kind: 'staff',
    roles: [{ role: 'admin', agencyId: null, agencyCode: null, includeChildren: false, scope: [] }],
    agencyScope: [],
    sessionId: null,
  };
  // The catalogue was published before the first demo dossier (received at most a year before
  // now), so every demo period finds its procedures in force (the index reads the version
  // published before each period's end).
  const ctx: Ctx = { db, actor, now: demoCataloguePublishedAt(now), log, keyring: opts.keyring, ip: DEMO_ADMIN_ADDRESS };
  for (const p of demoProcedures) {
    const { code, ...definition } = p;
    await createProcedure(ctx, code, definition, 'Quyết định công bố danh mục TTHC (dữ liệu mẫu)');
    await publishProcedureVersion(ctx, code, 1);
  }
  if (opts.dossiers > 0) {
    const started = Date.now();
    const n = await generateDemoDossiers(db, files, { count: opts.dossiers, now, seed: 37, keyring: opts.keyring });
    log.info({ dossiers: n, ms: Date.now() - started }, 'demo dossiers generated');
  }
  await db.execute(sql`ANALYZE`);
}
