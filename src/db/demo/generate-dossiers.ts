import type { Keyring } from '../../platform/crypto.ts';
import { openUserFields, sealApplicant, sealForm } from '../../platform/personal-data.ts';
import { searchTextOf } from '../../modules/dossiers/dossiers.repo.ts';
import { formatDossierCode } from '../../modules/dossiers/dossiers.service.ts';
import { getSetting } from '../../platform/settings.ts';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import {
  agencies,
  auditLog,
  dossierCodeCounters,
  dossierFiles,
  dossierHistory,
  dossierRatings,
  dossiers,
  payments,
  paymentTransactions,
  procedures,
  procedureVersions,
  userRoles,
  users,
} from '../schema.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { toIso, vnDate } from '../../platform/time.ts';
import { computeDueAt, DEFAULT_OFFICE_HOURS, isWorkingTime, WorkingCalendar, workingMinutesBetween, type Pause } from '../../modules/calendar/index.ts';
import type { DossierStatus } from '../../modules/dossiers/dossier-workflow.ts';
import { computeFees } from '../../modules/payments/fees.ts';
import { formatDong } from '../../modules/payments/receipt.ts';
import { PAYMENT_SYSTEM_USER_ID } from '../../modules/payments/payment-requests.ts';
import { validateForm } from '../../modules/procedures/form-validation.ts';
import { ProcedureDefinition, type FormField } from '../../modules/procedures/procedures.schemas.ts';
import { demoCommunes } from './reference.ts';

const STAFF_ROLE_VI = { reception: 'một cửa', specialist: 'chuyên viên', leader: 'lãnh đạo' } as const;
/** A small deterministic PRNG (mulberry32) so the demo is the same on every machine. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (lo: number, hi: number) => lo + (hi - lo) * next(),
    int: (lo: number, hi: number) => Math.floor(lo + (hi - lo + 1) * next()),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Mai', 'Trịnh'];
const MIDDLE_M = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Công', 'Xuân', 'Thành'];
const MIDDLE_F = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Hồng', 'Phương', 'Kim', 'Bích'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt'];
const GIVEN_F = ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Nhung', 'Thảo', 'Trang', 'Yến'];
const STREETS = ['Trần Hưng Đạo', 'Hàn Thuyên', 'Trường Chinh', 'Lê Hồng Phong', 'Vị Xuyên', 'Điện Biên', 'Giải Phóng', 'Văn Cao'];
const COMPANIES = [
  'Công ty TNHH Dệt may Thành Công',
  'Công ty CP Nông sản Xanh',
  'Hợp tác xã Gạo Hải Hậu',
  'Công ty TNHH Xây dựng Hoa Lư',
  'Công ty CP Thương mại Phủ Lý',
];

function personName(r: Rng) {
  const female = r.chance(0.5);
  return `${r.pick(FAMILY)} ${r.pick(female ? MIDDLE_F : MIDDLE_M)} ${r.pick(female ? GIVEN_F : GIVEN_M)}`;
}
function digits(r: Rng, n: number) {
  let s = '';
  for (let i = 0; i < n; i++) s += String(r.int(0, 9));
  return s;
}

/** The day `days` after a YYYY-MM-DD date. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A plausible answer to a form field. `today` (YYYY-MM-DD, Asia/Ho_Chi_Minh) is the day the
 * answer is given: a `past` date falls in an earlier year, a `future` one 15 to 350 days later, so
 * both stay valid for a draft saved up to two weeks before it is submitted.
 */
export function fakeAnswer(f: FormField, r: Rng, today: string = vnDate(new Date())): string | number | boolean {
  switch (f.type) {
    case 'text':
      return /ho_ten|ten/.test(f.key)
        ? personName(r)
        : /dia_chi|noi/.test(f.key)
          ? `Số ${r.int(1, 300)} đường ${r.pick(STREETS)}`
          : `Nội dung ${f.label.toLowerCase()}`;
    case 'textarea':
      return `Đề nghị cơ quan xem xét giải quyết: ${f.label.toLowerCase()}.`;
    case 'number':
      return Math.max(f.min ?? 1, Math.min(f.max ?? 10, r.int(1, 5)));
    case 'date': {
      // Always three draws, so the answers after this one do not depend on the field's rule.
      const year = r.int(1960, Math.min(2025, Number(today.slice(0, 4)) - 1));
      const month = r.int(1, 12);
      const day = r.int(1, 28);
      if (f.dateRange === 'future') return addDays(today, 14 + (month - 1) * 28 + day);
      return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    }
    case 'select':
      return r.pick(f.options!).value;
    case 'checkbox':
      return true;
    case 'email':
      return `nguoidan${r.int(1, 9999)}@example.vn`;
    case 'phone':
      return `09${digits(r, 8)}`;
    case 'id_number':
      return `036${digits(r, 9)}`;
    case 'tax_code':
      return `06${digits(r, 8)}`;
    case 'unit_code':
      return r.pick(demoCommunes).code;
  }
}

// Crockford's base 32, as the live references (payment-requests.ts newReference).
const REFERENCE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A payment reference of the live shape ("TS" and 10 base-32 characters), drawn from `r` so the demo is repeatable. */
export function demoReference(r: Rng): string {
  let out = 'TS';
  for (let i = 0; i < 10; i++) out += REFERENCE_ALPHABET[r.int(0, 31)];
  return out;
}

/**
 * A citizen's address in the demo: in the documentation ranges of RFC 5737 (203.0.113.0/24,
 * 198.51.100.0/24), never a real public address.
 */
export function citizenAddress(r: Rng): string {
  return `${r.chance(0.5) ? '203.0.113' : '198.51.100'}.${r.int(1, 254)}`;
}

/** The workstation of a member of staff at the `centre`-th service centre (province network 10.37.0.0/16). */
export function staffAddress(centre: number, host: number): string {
  return `10.37.${centre}.${host}`;
}

/** Where the bank's notifications come from in the demo (RFC 5737 192.0.2.0/24). */
export const DEMO_BANK_ADDRESS = '192.0.2.15';

/** Hours a citizen has to pay a request: PAYMENT_DUE_HOURS's default (config.ts), as live requests get it. */
const PAYMENT_DUE_HOURS = 72;

/** The name a bank reports for a payer: without diacritics, upper case (as the demo bank page sends it). */
function payerNameOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase();
}

interface Event {
  at: number;
  action: string;
  party: string;
  actorId: string | null;
  to: DossierStatus;
  note?: string;
  /** What the service records with the action (dossier_history.data, and the audit record's details). */
  data?: Record<string, unknown>;
}

const MIN = 60_000;
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Working hours a received dossier waits at the desk before it is assigned, from one uniform
 * draw `u`: under 2 hours for 40% of dossiers, 2 to 7.5 hours (later that day or the next
 * morning) for 35%, into the next working day for 25% (4.9 hours on average, so a few wait at
 * the desk at any moment), and never more than a third of the legal time, but always up to 2
 * hours.
 */
export function deskWaitHours(u: number, legalWorkingHours: number): number {
  const hours = u < 0.4 ? 0.2 + (u / 0.4) * 1.8 : u < 0.75 ? 2 + ((u - 0.4) / 0.35) * 5.5 : 7.5 + ((u - 0.75) / 0.25) * 7.5;
  return Math.min(hours, Math.max(2, legalWorkingHours / 3));
}

/**
 * The states a dossier passes through (all but draft and the final ones), each held at `now` by
 * one extra dossier in a load of EXTRAS_FROM or more, so that every state is on screen whatever
 * the time of day (the year's dossiers have a few in each on average, but now and then none);
 * the extra dossier is submitted within `withinDays` before `now`.
 */
const HELD: readonly { status: DossierStatus; withinDays: number }[] = [
  { status: 'submitted', withinDays: 2 },
  { status: 'received', withinDays: 3 },
  { status: 'in_progress', withinDays: 20 },
  { status: 'supplement_requested', withinDays: 10 },
  { status: 'payment_requested', withinDays: 5 },
  { status: 'done', withinDays: 30 },
];
/** From this many dossiers on, a load also has the held dossiers above and drafts of the demo accounts. */
export const EXTRAS_FROM = 100;

/** A generated dossier, its code not yet given (codes follow submission time, so they come last). */
interface Made {
  row: typeof dossiers.$inferInsert;
  history: (typeof dossierHistory.$inferInsert)[];
  files: (typeof dossierFiles.$inferInsert)[];
  rating: typeof dossierRatings.$inferInsert | null;
  applicant: { fullName: string; organisationName?: string; taxCode?: string };
  /** The payment request of `request_payment` (pending, paid online, or settled at the desk), and the bank's transaction of one paid online. */
  payments: (typeof payments.$inferInsert)[];
  transactions: (typeof paymentTransactions.$inferInsert)[];
  /** The address an applicant without an account submitted from (online), else null. */
  guestIp: string | null;
}

/**
 * The audit records of a generated dossier, as the live writes make them (draft-writes.ts,
 * submit-batcher.ts, recordTransition and rateDossier in dossiers.service.ts, payment-requests.ts,
 * payments.service.ts): `dossier.create` with the procedure and channel, `dossier.file.attach`
 * per file, `dossier.<action>` per transition with `{ from, to, ...data }`, `dossier.rate` with
 * the rating; a payment settled at the desk is closed first (`payment.settled_at_desk`), one paid
 * online is confirmed by the gateway after the dossier moves on (`payment.confirmed`, role
 * `system`). Creation and submission name the party acting (applicant or reception), the other
 * actions the actor's role. Each record carries the address its actor acted from (`addressOf`).
 */
function auditOf(
  m: Made,
  roleOf: ReadonlyMap<string, string>,
  addressOf: (actorId: string | null, m: Made) => string | null,
): (typeof auditLog.$inferInsert & { at: Date })[] {
  const d = m.row;
  const record = (
    at: Date,
    actorId: string | null,
    actorRole: string | null,
    action: string,
    details: Record<string, unknown>,
    target: { type: string; id: string } = { type: 'dossier', id: d.id },
  ) => ({
    at,
    actorId,
    actorRole,
    action,
    targetType: target.type,
    targetId: target.id,
    ip: addressOf(actorId, m),
    outcome: 'success',
    details,
  });
  const role = (id: string | null | undefined) => (id ? (roleOf.get(id) ?? null) : null);
  const [created, ...transitions] = m.history;
  return [
    record(created!.at, created!.actorId ?? null, created!.actorRole, 'dossier.create', { procedure: d.procedureCode, channel: d.channel, smsConsent: false }),
    ...m.files.map((f) =>
      record(f.createdAt!, f.uploadedBy, role(f.uploadedBy), 'dossier.file.attach', { fileId: f.id, component: f.componentCode, size: f.size }),
    ),
    ...transitions.flatMap((h) => {
      const actorId = h.actorId ?? null;
      const data = h.data as Record<string, unknown>;
      if (h.action === 'rate') return [record(h.at, actorId, role(actorId), 'dossier.rate', { rating: data.rating })];
      const transition = record(h.at, actorId, h.action === 'submit' ? h.actorRole : role(actorId), `dossier.${h.action}`, {
        from: h.fromStatus,
        to: h.toStatus,
        ...data,
      });
      if (h.action !== 'confirm_payment') return [transition];
      const paid = data.payment as { paymentId: string; amount: number; reference: string; method: 'online' | 'desk' };
      const target = { type: 'payment', id: paid.paymentId };
      if (paid.method === 'desk') {
        return [
          record(h.at, actorId, role(actorId), 'payment.settled_at_desk', { dossierId: d.id, amount: paid.amount, reference: paid.reference }, target),
          transition,
        ];
      }
      const txn = m.transactions.find((t) => t.paymentId === paid.paymentId)!;
      return [
        transition,
        record(
          h.at,
          actorId,
          'system',
          'payment.confirmed',
          { transactionId: txn.providerTxnId, reference: paid.reference, amount: paid.amount, dossier: d.code },
          target,
        ),
      ];
    }),
  ];
}

/**
 * Generates `count` dossiers over the twelve months before `now`, in every state, by walking
 * each through the real workflow with realistic timing (desk waits, supplements, payments, late
 * ones, extensions, withdrawals, ratings) and writing the rows and history directly in batches.
 * Due dates come from the same calendar arithmetic as live dossiers. Codes are numbered per
 * receiving agency and day in submission order, gap-free from 0001 as live submissions are, and
 * the counters are left so that the next live submission of a day gets the next number. A load
 * of EXTRAS_FROM or more dossiers also has, among the `count`, one dossier held at `now` in each
 * state of HELD and one or two recent drafts of each demo applicant account (private to it, no
 * code). A `request_payment` writes the payment request live use writes (the fee computed from
 * the procedure's schedule and the answers, a reference, due in 72 hours): pending while the
 * dossier awaits payment, then paid by bank transfer (the gateway's confirmation and the bank's
 * transaction) or settled at the desk. Ratings get their history entry. Every history entry gets
 * the audit record the live action writes (same action, actor, role and details, at the entry's
 * time), appended to the audit chain in time order, with the address the actor acted from:
 * applicants from home (RFC 5737 documentation ranges, one per account), staff from their
 * centre's workstations (10.37.x.y), the bank from its own. Members of staff act in office hours
 * only, so the security monitor's off-hours rule finds nothing in them. Deterministic for a given
 * seed and `now`. Returns the number generated.
 */
export async function generateDemoDossiers(db: Db, files: LocalFileStore, opts: { count: number; now: Date; seed: number; keyring: Keyring }): Promise<number> {
  const r = rng(opts.seed);
  const calendar = WorkingCalendar.fromOverrides();
  const office = DEFAULT_OFFICE_HOURS;
  const nowMs = opts.now.getTime();
  const procs = await db
    .select({
      id: procedures.id,
      code: procedures.code,
      versionId: procedureVersions.id,
      version: procedureVersions.version,
      definition: procedureVersions.definition,
      competentAgencyId: procedures.competentAgencyId,
      popularity: procedures.popularity,
    })
    .from(procedures)
    .innerJoin(procedureVersions, eq(procedureVersions.id, procedures.currentVersionId));
  const agencyRows = await db
    .select({
      id: agencies.id,
      code: agencies.code,
      identityCode: agencies.identityCode,
      unitCode: agencies.unitCode,
      kind: agencies.kind,
      isActive: agencies.isActive,
    })
    .from(agencies);
  const agencyByCode = new Map(agencyRows.map((a) => [a.code, a]));
  const agencyById = new Map(agencyRows.map((a) => [a.id, a]));
  // A commune-tier dossier is decided by the committee of the applicant's commune, else of the receiving centre's (as competentAgencyFor does).
  const committeeByUnit = new Map(agencyRows.filter((a) => a.kind === 'commune_committee' && a.isActive).map((a) => [a.unitCode, a.id]));
  const unitOfAgency = new Map(agencyRows.map((a) => [a.id, a.unitCode]));
  const staffRows = await db
    .select({ id: users.id, username: users.username, role: userRoles.role, agencyId: userRoles.agencyId })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId));
  const applicantUsers = (
    await db
      .select({
        id: users.id,
        username: users.username,
        kind: users.kind,
        displayName: users.displayName,
        idNumberEnc: users.idNumberEnc,
        phoneEnc: users.phoneEnc,
        taxCode: users.taxCode,
      })
      .from(users)
      .where(inArray(users.kind, ['citizen', 'organisation']))
  ).map((u) => ({ ...u, ...openUserFields(opts.keyring, u) }));
  // The role an account acts in (the first of its roles, as a signed-in actor's), for the audit records.
  const roleOf = new Map<string, string>();
  for (const s of staffRows) if (!roleOf.has(s.id)) roleOf.set(s.id, s.role);
  const stored = await files.put(PDF, 1024 * 1024);
  const codePattern = await getSetting(db, 'dossier_code_pattern');

  // Every receiving centre needs a desk, a specialist and a leader; create sign-in-less staff where the demo has none
  // (named with their role in Vietnamese, as pages show the name in both languages).
  const staffFor = new Map<string, { reception: string; specialist: string; leader: string }>();
  for (const a of agencyRows.filter((x) => x.code.startsWith('TTPVHCC'))) {
    const have = (role: string) => staffRows.find((s) => s.agencyId === a.id && s.role === role)?.id;
    const make = async (role: 'reception' | 'specialist' | 'leader') => {
      const id = newId();
      await db.insert(users).values({
        id,
        username: `demo.${role}.${a.code.toLowerCase()}`,
        displayName: `${personName(r)} (${STAFF_ROLE_VI[role]})`,
        passwordHash: null,
        kind: 'staff',
      });
      await db.insert(userRoles).values({ userId: id, role, agencyId: a.id });
      roleOf.set(id, role);
      return id;
    };
    staffFor.set(a.id, {
      reception: have('reception') ?? (await make('reception')),
      specialist: have('specialist') ?? (await make('specialist')),
      leader: have('leader') ?? (await make('leader')),
    });
  }

  // The gateway confirms a payment as the receiving desk (payments.service.ts paymentSystemActor): its records name that role.
  roleOf.set(PAYMENT_SYSTEM_USER_ID, 'reception');
  // Where each actor acts from: staff at a workstation of their centre, each applicant account from
  // one home address (distinct, from their own stream), the gateway's notifications from the bank.
  const addressByUser = new Map<string, string>([[PAYMENT_SYSTEM_USER_ID, DEMO_BANK_ADDRESS]]);
  const centres = [...staffFor.keys()].sort((a, b) => agencyById.get(a)!.code.localeCompare(agencyById.get(b)!.code));
  centres.forEach((agencyId, k) => {
    const s = staffFor.get(agencyId)!;
    for (const [id, host] of [
      [s.reception, 11],
      [s.specialist, 51],
      [s.leader, 91],
    ] as const)
      if (!addressByUser.has(id)) addressByUser.set(id, staffAddress(k + 1, host));
  });
  const homes = rng(opts.seed + 3);
  const taken = new Set<string>();
  for (const u of [...applicantUsers].sort((a, b) => a.username.localeCompare(b.username))) {
    let ip = citizenAddress(homes);
    while (taken.has(ip)) ip = citizenAddress(homes);
    taken.add(ip);
    addressByUser.set(u.id, ip);
  }
  /** An actor's address; an applicant without an account (no actor) submitted from the dossier's own. */
  const addressOf = (actorId: string | null, m: Made) => (actorId === null ? m.guestIp : (addressByUser.get(actorId) ?? null));
  // Payments come from their own stream (method, reference, the bank's transaction), so the walks draw as before.
  const side = rng(opts.seed + 2);
  const references = new Set<string>();
  const transactionIds = new Set<string>();
  const unique = (seen: Set<string>, draw: () => string) => {
    let v = draw();
    while (seen.has(v)) v = draw();
    seen.add(v);
    return v;
  };

  type Proc = (typeof procs)[number] & { def: ProcedureDefinition };
  /** The columns every demo dossier sets the same way: procedure, agencies, applicant (sealed), form. */
  const dossierBase = (
    id: string,
    p: Proc,
    receivingId: string,
    applicant: Parameters<typeof sealApplicant>[2] & { type: string; address: { unitCode: string } },
    form: Record<string, unknown>,
  ) => {
    const sealed = sealApplicant(opts.keyring, id, applicant);
    return {
      id,
      code: null,
      procedureId: p.id,
      procedureVersionId: p.versionId,
      procedureCode: p.code,
      procedureVersion: p.version,
      receivingAgencyId: receivingId,
      competentAgencyId:
        (p.def.tier === 'commune' && (committeeByUnit.get(applicant.address.unitCode) ?? committeeByUnit.get(unitOfAgency.get(receivingId) ?? ''))) ||
        p.competentAgencyId,
      applicantType: applicant.type,
      applicant: sealed.stored,
      applicantIdNumberEnc: sealed.idNumberEnc,
      applicantIdNumberHash: sealed.idNumberHash,
      applicantPhoneEnc: sealed.phoneEnc,
      form: sealForm(opts.keyring, id, p.def.form, form),
      unitCode: applicant.address.unitCode,
    };
  };
  const parsed: Proc[] = procs.map((p) => ({ ...p, def: ProcedureDefinition.parse(p.definition) }));
  /** A procedure, the popular ones more often. */
  const pickProc = (g: Rng, among: readonly Proc[] = parsed): Proc => {
    let x = g.next() * among.reduce((s, p) => s + Math.max(1, p.popularity), 0);
    for (const p of among) if ((x -= Math.max(1, p.popularity)) <= 0) return p;
    return among[among.length - 1]!;
  };
  const workAfter = (start: number, hours: number, pauses: Pause[] = []) =>
    computeDueAt({ start: new Date(start), value: hours, unit: 'hours', calendar, officeHours: office, pauses }).getTime();
  /**
   * Outside office hours as the security monitor counts them (staff.off_hours): the close of a
   * period is outside, so its last second counts as outside here.
   */
  const offDuty = (t: number) => !isWorkingTime(new Date(t), calendar, office) || !isWorkingTime(new Date(t + 1000), calendar, office);
  /** When a member of staff acts on something due at `t`: then if in office hours, else a minute into the next office period. */
  const onDuty = (t: number) => (offDuty(t) ? workAfter(t, 1 / 60) : t);
  /** The instant `hours` of working time after `start` (never the very close of a period, when staff act after it). */
  const addWork = (start: number, hours: number, pauses: Pause[] = []) => onDuty(workAfter(start, hours, pauses));
  /** An instant in office hours within `withinDays` before now (looking further back when those days have no office hours). */
  const officeInstant = (g: Rng, withinDays: number): number => {
    for (let tries = 0; ; tries++) {
      const day = nowMs - g.between(0.02, Math.min(365, withinDays * 2 ** Math.floor(tries / 50))) * 86_400_000;
      const date = vnDate(new Date(day));
      if (!calendar.isWorkingDay(date)) continue;
      const period = g.pick(office.periods);
      const [sh, sm] = period.start.split(':').map(Number) as [number, number];
      const [eh, em] = period.end.split(':').map(Number) as [number, number];
      const minute = g.int(sh * 60 + sm, eh * 60 + em - 1);
      const t = Date.parse(`${date}T00:00:00+07:00`) + minute * MIN;
      if (t < nowMs) return t;
    }
  };

  /**
   * One dossier walked through the workflow from a submission at `when()`. With `hold`, the
   * wait that ends that state (for the desk's receipt, the desk's assignment, the supplement,
   * the payment or the return of the result) lasts until after now, so the dossier is in that
   * state at now if it got there by then; the caller draws again when it did not.
   */
  const walk = (g: Rng, when: () => number, hold: DossierStatus | null): Made => {
    const p = pickProc(g);
    const def = p.def;
    const tSub = when();
    const receivingCode =
      def.tier === 'commune' && g.chance(0.4)
        ? g.pick(def.receivingAgencyCodes.filter((c) => c !== 'TTPVHCC').concat('TTPVHCC'))
        : def.receivingAgencyCodes[0]!;
    const receiving = agencyByCode.get(receivingCode)!;
    const staff = staffFor.get(receiving.id)!;
    const channel =
      def.channels.includes('online') && (def.onlineLevel === 'full' ? g.chance(0.75) : g.chance(0.4))
        ? 'online'
        : def.channels.includes('post') && g.chance(0.08)
          ? 'post'
          : def.channels.includes('in_person')
            ? 'in_person'
            : 'online';
    // Applicant: now and then one of the demo accounts, so their pages have history.
    const isOrg = def.applicantTypes.includes('organisation') && (!def.applicantTypes.includes('citizen') || g.chance(0.3));
    const own = applicantUsers.find((u) => (isOrg ? u.kind === 'organisation' : u.kind === 'citizen') && g.chance(isOrg ? 0.2 : 0.03));
    const fullName = own ? own.displayName.replace(/ \(.*\)$/, '') : personName(g);
    const applicant = {
      type: isOrg ? 'organisation' : 'citizen',
      fullName,
      idNumber: own?.idNumber ?? `036${digits(g, 9)}`,
      ...(isOrg ? { taxCode: own?.taxCode ?? `06${digits(g, 8)}`, organisationName: g.pick(COMPANIES) } : {}),
      phone: `09${digits(g, 8)}`,
      address: { unitCode: g.pick(demoCommunes).code, detail: `Số ${g.int(1, 300)} đường ${g.pick(STREETS)}` },
    };
    const answers: Record<string, unknown> = {};
    for (const f of def.form) if (f.required || g.chance(0.5)) answers[f.key] = fakeAnswer(f, g, vnDate(new Date(tSub)));
    const form = validateForm(def.form, answers, { partial: false, now: new Date(tSub) }).values;
    const fees = computeFees(def.fees, form);
    const guestIp = channel === 'online' && !own ? citizenAddress(side) : null;

    // Walk the workflow.
    const ev: Event[] = [
      {
        at: tSub,
        action: 'submit',
        party: channel === 'online' ? 'applicant' : 'reception',
        actorId: channel === 'online' ? (own?.id ?? null) : staff.reception,
        to: 'submitted',
      },
    ];
    const push = (at: number, action: string, party: string, actorId: string | null, to: DossierStatus, note?: string, data?: Record<string, unknown>) =>
      ev.push({ at, action, party, actorId, to, ...(note ? { note } : {}), ...(data ? { data } : {}) });
    const iso = (ms: number) => new Date(ms).toISOString();
    let tRec: number;
    if (channel === 'online') {
      const hours = g.between(0.2, 6);
      tRec = addWork(tSub, hours);
      if (hold === 'submitted') tRec = Math.max(tRec, addWork(nowMs, hours));
    } else {
      tRec = onDuty(tSub + g.int(3, 15) * MIN);
    }
    let due = 0;
    let pauses: Pause[] = [];
    let originalDue = 0;
    let rating: { rating: string; at: number } | null = null;
    let payment: {
      id: string;
      reference: string;
      requestedAt: number;
      dueAt: number;
      online: boolean;
      confirmedAt: number;
      transactionId: string;
      paidAt: number;
    } | null = null;
    const fate = g.next();
    if (fate < 0.04) {
      push(tRec, 'refuse', 'reception', staff.reception, 'refused', 'Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan');
    } else {
      due = computeDueAt({ start: new Date(tRec), value: def.duration.value, unit: def.duration.unit, calendar, officeHours: office }).getTime();
      originalDue = due;
      push(tRec, 'receive', 'reception', staff.reception, 'received', undefined, { dueAt: iso(due) });
      // The desk assigns it to a specialist after a while.
      const desk = deskWaitHours(g.next(), workingMinutesBetween(new Date(tRec), new Date(due), calendar, office) / 60);
      let t = addWork(tRec, desk);
      if (hold === 'received') t = Math.max(t, addWork(nowMs, desk));
      push(t, 'assign', 'reception', staff.reception, 'in_progress', undefined, { assigneeId: staff.specialist });
      const nSupp = g.chance(0.15) ? (g.chance(0.2) ? 2 : 1) : 0;
      for (let s = 0; s < nSupp; s++) {
        t = addWork(t, g.between(0.5, 4), pauses);
        push(t, 'request_supplement', 'specialist', staff.specialist, 'supplement_requested', 'Bổ sung bản sao giấy tờ còn thiếu');
        let back = t + g.between(1, 6) * 86_400_000;
        if (hold === 'supplement_requested') back = Math.max(back, nowMs + (back - t) / 2);
        // An applicant with an account sends it back online; the desk records papers brought to the counter.
        if (!own) back = onDuty(back);
        push(
          back,
          'supplement',
          own ? 'applicant' : 'reception',
          own?.id ?? staff.reception,
          'submitted',
          own ? undefined : 'Đã nhận giấy tờ bổ sung tại quầy',
        );
        const resumed = addWork(back, g.between(0.1, 3));
        pauses = [...pauses, { from: new Date(t), to: new Date(resumed) }];
        due = computeDueAt({ start: new Date(tRec), value: def.duration.value, unit: def.duration.unit, calendar, officeHours: office, pauses }).getTime();
        push(resumed, 'receive', 'reception', staff.reception, 'in_progress', undefined, { dueAt: iso(due) });
        t = resumed;
      }
      // Fees computed to nothing from the answers (none due per copy): live request_payment refuses, so there is none.
      if (fees.total > 0) {
        t = addWork(t, g.between(0.2, 2));
        const requestedAt = t;
        const id = newId(requestedAt);
        const reference = unique(references, () => demoReference(side));
        const dueAt = requestedAt + PAYMENT_DUE_HOURS * 3_600_000;
        push(t, 'request_payment', 'specialist', staff.specialist, 'payment_requested', 'Nộp phí, lệ phí theo quy định', {
          payment: { paymentId: id, amount: fees.total, reference, dueAt: iso(dueAt) },
        });
        const hours = g.between(0.5, 8);
        t = hold === 'payment_requested' ? Math.max(addWork(t, hours), addWork(nowMs, hours)) : addWork(t, hours);
        // By bank transfer (VietQR) mostly when the applicant deals with the province online; at the counter mostly otherwise.
        const online = side.chance(own || channel === 'online' ? 0.7 : channel === 'post' ? 0.5 : 0.2);
        // The transfer a few seconds to a minute and a half before the bank's notification arrives.
        const paidAt = t - side.int(5, 90) * 1000;
        const day = vnDate(new Date(paidAt));
        const transactionId = unique(transactionIds, () => `FT${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}${digits(side, 5)}`);
        payment = { id, reference, requestedAt, dueAt, online, confirmedAt: t, transactionId, paidAt };
        const paid = { paymentId: id, amount: fees.total, reference };
        if (online) {
          // Taken by the gateway's account when the bank's notification matches (payments.service.ts confirmPayment).
          const note = `Đã thanh toán ${formatDong(fees.total)} đồng qua VietQR, mã giao dịch ${transactionId}`;
          push(t, 'confirm_payment', 'reception', PAYMENT_SYSTEM_USER_ID, 'in_progress', note, { payment: { ...paid, method: 'online' } });
        } else {
          push(t, 'confirm_payment', 'reception', staff.reception, 'in_progress', 'Đã thu phí, lệ phí tại bộ phận một cửa', {
            payment: { ...paid, method: 'desk' },
            settledAtDesk: [id],
          });
        }
      }
      if (fate < 0.06) {
        // Without an account, the desk records the withdrawal on the applicant's written request.
        push(addWork(t, g.between(1, 8)), 'withdraw', own ? 'applicant' : 'reception', own?.id ?? staff.reception, 'withdrawn', 'Công dân xin rút hồ sơ');
      } else if (fate < 0.07) {
        push(addWork(t, g.between(1, 8)), 'stop', 'leader', staff.leader, 'stopped', 'Dừng xử lý theo đề nghị của cơ quan có thẩm quyền');
      } else {
        const late = g.chance(0.14);
        const span = due - tRec;
        let finish = Math.max(t + 30 * MIN, late ? due + span * g.between(0.05, 0.8) + 2 * 3_600_000 : tRec + (due - tRec) * g.between(0.3, 0.95));
        // On time: before the deadline, but never before what already happened (a payment, a supplement);
        // when there is no room left it is simply late.
        if (!late && finish > due) finish = Math.max(t + 30 * MIN, due - 10 * MIN);
        finish = onDuty(finish);
        // Forward through the steps between assignment and the leader's decision.
        const steps = def.workflow.length;
        for (let s = 1; s < steps; s++) {
          const at = Math.min(onDuty(t + ((finish - t) * s) / steps), finish);
          const party = def.workflow[s - 1]!.role;
          push(at, 'forward', party, party === 'leader' ? staff.leader : staff.specialist, 'in_progress', undefined, { step: def.workflow[s]!.key });
        }
        if (late && g.chance(0.5) && due - 3_600_000 > t) {
          const newDue = due + Math.max(span * 0.6, 86_400_000);
          push(
            Math.min(onDuty(due - 3_600_000), due),
            'extend',
            'leader',
            staff.leader,
            'in_progress',
            'Xin lỗi công dân vì hồ sơ cần thêm thời gian thẩm định; hẹn lại ngày trả kết quả',
            { previousDueAt: iso(due), newDueAt: iso(newDue) },
          );
          due = newDue;
        }
        push(finish, 'approve', 'leader', staff.leader, 'done');
        const hours = g.between(0.2, 16);
        const ret = hold === 'done' ? Math.max(addWork(finish, hours), addWork(nowMs, hours)) : addWork(finish, hours);
        push(ret, 'return_result', 'reception', staff.reception, 'returned');
        if (g.chance(0.6)) {
          const v = g.next();
          // Online an hour later; at the counter, recorded by the desk as the result is handed over.
          rating = { rating: v < 0.68 ? 'very_satisfied' : v < 0.94 ? 'satisfied' : 'dissatisfied', at: own ? ret + 3_600_000 : onDuty(ret + 5 * MIN) };
        }
      }
    }
    ev.sort((a, b) => a.at - b.at);
    const past = ev.filter((e) => e.at <= nowMs);
    const last = past.at(-1)!;
    const status = last.to;
    const id = newId(tSub);
    const at = (action: string) => past.find((e) => e.action === action)?.at;
    const finishedAt = past.find((e) => ['approve', 'refuse', 'withdraw', 'stop'].includes(e.action))?.at;
    const isReceived = at('receive') !== undefined;
    const pastSupp = past.filter((e) => e.action === 'request_supplement').length;
    const pastExt = past.filter((e) => e.action === 'extend').length;
    // The due date as it stood at `now`: pauses and extensions that happened so far.
    const pastPauses = pauses.filter((pp) => pp.to.getTime() <= nowMs);
    let dueNow = isReceived
      ? computeDueAt({
          start: new Date(at('receive')!),
          value: def.duration.value,
          unit: def.duration.unit,
          calendar,
          officeHours: office,
          pauses: pastPauses,
        }).getTime()
      : null;
    if (pastExt > 0) dueNow = due;
    const stepIndex =
      status === 'in_progress' || status === 'supplement_requested' || status === 'payment_requested' || status === 'done' || status === 'returned'
        ? Math.min(past.filter((e) => e.action === 'forward').length, def.workflow.length - 1)
        : null;
    // Drafted ten minutes before submission; by the desk in office hours (else it writes and submits in one go).
    const tCreate = own || !offDuty(tSub - 10 * MIN) ? tSub - 10 * MIN : tSub;
    const row: typeof dossiers.$inferInsert = {
      ...dossierBase(id, p, receiving.id, applicant, form),
      status,
      channel,
      applicantUserId: own?.id ?? null,
      createdBy: own?.id ?? staff.reception,
      assigneeId: at('assign') !== undefined ? staff.specialist : null,
      stepIndex: at('assign') !== undefined ? (stepIndex ?? 0) : null,
      submittedAt: new Date(tSub),
      receivedAt: isReceived ? new Date(at('receive')!) : null,
      dueAt: dueNow !== null ? new Date(dueNow) : null,
      originalDueAt: isReceived ? new Date(originalDue) : null,
      finishedAt: finishedAt !== undefined ? new Date(finishedAt) : null,
      returnedAt: at('return_result') !== undefined ? new Date(at('return_result')!) : null,
      // The clock stays paused until the desk receives the supplement, also once it was sent back (status submitted).
      pausedAt: isReceived ? (pauses.find((pp) => pp.from.getTime() <= nowMs && pp.to.getTime() > nowMs)?.from ?? null) : null,
      pauses: pastPauses.map((pp) => ({ from: pp.from.toISOString(), to: pp.to.toISOString() })),
      supplementCount: pastSupp,
      extensionCount: pastExt,
      searchText: '',
      version: past.length + 1,
      createdAt: new Date(tCreate),
      updatedAt: new Date(last.at),
    };
    let prev: DossierStatus = 'draft';
    const history: Made['history'] = [
      {
        dossierId: id,
        at: new Date(tCreate),
        action: 'create',
        actorId: own?.id ?? staff.reception,
        actorRole: own ? 'applicant' : 'reception',
        fromStatus: null,
        toStatus: 'draft',
        note: null,
        data: {},
      },
    ];
    for (const e of past) {
      history.push({
        dossierId: id,
        at: new Date(e.at),
        action: e.action,
        actorId: e.actorId,
        actorRole: e.party,
        fromStatus: prev,
        toStatus: e.to,
        note: e.note ?? null,
        data: e.data ?? {},
      });
      prev = e.to;
    }
    const fileRows = def.components
      .filter((c) => c.required)
      .map((c) => ({
        id: newId(tSub),
        dossierId: id,
        componentCode: c.code,
        fileName: `${c.code}.pdf`,
        mediaType: stored.mediaType,
        size: stored.size,
        sha256: stored.sha256,
        storageKey: stored.storageKey,
        uploadedBy: own?.id ?? staff.reception,
        createdAt: new Date((tCreate + tSub) / 2),
      }));
    // Each rating has its history entry (as rateDossier writes it). Live, only an applicant's account
    // rates; here the ratings of applicants without one (on the counter's form) are recorded by the desk.
    const rated = rating && status === 'returned' && rating.at <= nowMs ? rating : null;
    if (rated) {
      history.push({
        dossierId: id,
        at: new Date(rated.at),
        action: 'rate',
        actorId: own?.id ?? staff.reception,
        actorRole: own ? 'applicant' : 'reception',
        fromStatus: 'returned',
        toStatus: 'returned',
        note: null,
        data: { rating: rated.rating },
      });
    }
    // The payment request as createPaymentRequest writes it, then as the gateway (paid) or the desk (settled) leaves it.
    const paymentRows: Made['payments'] = [];
    const transactionRows: Made['transactions'] = [];
    if (payment && payment.requestedAt <= nowMs) {
      const confirmed = payment.confirmedAt <= nowMs;
      const paidOnline = confirmed && payment.online;
      const settled = confirmed && !payment.online;
      paymentRows.push({
        id: payment.id,
        dossierId: id,
        amount: fees.total,
        currency: 'VND',
        reference: payment.reference,
        status: paidOnline ? 'paid' : settled ? 'settled_at_desk' : 'pending',
        feeLines: fees.lines,
        dueAt: new Date(payment.dueAt),
        paidAt: paidOnline ? new Date(payment.paidAt) : null,
        paidAmount: paidOnline ? fees.total : null,
        transactionId: paidOnline ? payment.transactionId : null,
        requestedBy: staff.specialist,
        createdAt: new Date(payment.requestedAt),
        updatedAt: new Date(confirmed ? payment.confirmedAt : payment.requestedAt),
        closedAt: settled ? new Date(payment.confirmedAt) : null,
        closedBy: settled ? staff.reception : null,
      });
      if (paidOnline) {
        row.isPaidOnline = true;
        // The bank's notification as the webhook records it (payments.service.ts processNotification).
        transactionRows.push({
          id: newId(payment.confirmedAt),
          providerTxnId: payment.transactionId,
          paymentId: payment.id,
          reference: payment.reference,
          amount: fees.total,
          currency: 'VND',
          paidAt: new Date(payment.paidAt),
          receivedAt: new Date(payment.confirmedAt),
          status: 'confirmed',
          holdReason: null,
          payload: {
            transactionId: payment.transactionId,
            amount: fees.total,
            currency: 'VND',
            description: `${payment.reference} nop le phi`,
            paidAt: toIso(new Date(payment.paidAt)),
            payerName: payerNameOf(applicant.organisationName ?? fullName),
          },
        });
      }
    }
    return {
      row,
      history,
      files: fileRows,
      rating: rated ? { dossierId: id, rating: rated.rating, comment: null, userId: own?.id ?? staff.reception, createdAt: new Date(rated.at) } : null,
      applicant,
      payments: paymentRows,
      transactions: transactionRows,
      guestIp,
    };
  };

  /** A recent, unsubmitted draft of a demo applicant account: partly filled in, no code, visible to its applicant alone. */
  const draft = (g: Rng, own: (typeof applicantUsers)[number]): Made | null => {
    const type = own.kind === 'organisation' ? 'organisation' : 'citizen';
    const fitting = parsed.filter((q) => q.def.channels.includes('online') && q.def.applicantTypes.includes(type));
    if (fitting.length === 0) return null;
    const p = pickProc(g, fitting);
    const def = p.def;
    const receiving = agencyByCode.get(def.receivingAgencyCodes[0]!)!;
    const createdAt = nowMs - g.between(0.05, 10) * 86_400_000;
    const organisation = /\((.*)\)$/.exec(own.displayName)?.[1];
    const applicant = {
      type,
      fullName: own.displayName.replace(/ \(.*\)$/, ''),
      idNumber: own.idNumber ?? `036${digits(g, 9)}`,
      ...(type === 'organisation' ? { taxCode: own.taxCode ?? `06${digits(g, 8)}`, organisationName: organisation ?? g.pick(COMPANIES) } : {}),
      ...(own.phone ? { phone: own.phone } : {}),
      address: { unitCode: g.pick(demoCommunes).code, detail: `Số ${g.int(1, 300)} đường ${g.pick(STREETS)}` },
    };
    const answers: Record<string, unknown> = {};
    for (const f of def.form) if (g.chance(0.6)) answers[f.key] = fakeAnswer(f, g, vnDate(new Date(createdAt)));
    const form = validateForm(def.form, answers, { partial: true, now: new Date(createdAt) }).values;
    const id = newId(createdAt);
    const attached = def.components.filter((c) => c.required && g.chance(0.5));
    const fileRows = attached.map((c, k) => ({
      id: newId(createdAt),
      dossierId: id,
      componentCode: c.code,
      fileName: `${c.code}.pdf`,
      mediaType: stored.mediaType,
      size: stored.size,
      sha256: stored.sha256,
      storageKey: stored.storageKey,
      uploadedBy: own.id,
      createdAt: new Date(createdAt + (k + 1) * 2 * MIN),
    }));
    return {
      row: {
        ...dossierBase(id, p, receiving.id, applicant, form),
        status: 'draft',
        channel: 'online',
        applicantUserId: own.id,
        createdBy: own.id,
        searchText: searchTextOf(null, applicant),
        // One version step per file attached, as live drafts count them.
        version: 1 + fileRows.length,
        createdAt: new Date(createdAt),
        updatedAt: new Date(createdAt + fileRows.length * 2 * MIN),
      },
      history: [
        {
          dossierId: id,
          at: new Date(createdAt),
          action: 'create',
          actorId: own.id,
          actorRole: 'applicant',
          fromStatus: null,
          toStatus: 'draft',
          note: null,
          data: {},
        },
      ],
      files: fileRows,
      rating: null,
      applicant,
      payments: [],
      transactions: [],
      guestIp: null,
    };
  };

  const made: Made[] = [];
  const extras = opts.count >= EXTRAS_FROM;
  const accounts = extras ? [...applicantUsers].sort((a, b) => a.username.localeCompare(b.username)) : [];
  // The extras come from their own stream, so the year's dossiers are those of a smaller load.
  const extra = rng(opts.seed + 1);
  const drafts = accounts.map((own) => ({ own, n: extra.int(1, 2) }));
  const reserved = (extras ? HELD.length : 0) + drafts.reduce((s, d) => s + d.n, 0);
  for (let i = 0; i < opts.count - reserved; i++) made.push(walk(r, () => officeInstant(r, 365), null));
  if (extras) {
    for (const h of HELD) {
      const held = () => walk(extra, () => officeInstant(extra, h.withinDays), h.status);
      let one = held();
      for (let tries = 1; one.row.status !== h.status && tries < 1000; tries++) one = held();
      made.push(one);
    }
    for (const d of drafts) for (let k = 0; k < d.n; k++) made.push(draft(extra, d.own) ?? walk(extra, () => officeInstant(extra, 365), null));
  }

  // Codes: per receiving agency and day of submission, numbered in submission order (as the live
  // submissions are numbered from the agency's daily counter).
  const byDay = new Map<string, Made[]>();
  for (const m of made) {
    if (m.row.submittedAt === null || m.row.submittedAt === undefined) continue;
    const key = `${m.row.receivingAgencyId}|${vnDate(m.row.submittedAt)}`;
    const list = byDay.get(key) ?? [];
    list.push(m);
    byDay.set(key, list);
  }
  const counters: { agencyId: string; day: string; lastSeq: number }[] = [];
  for (const [key, list] of byDay) {
    const [agencyId, day] = key.split('|') as [string, string];
    const identity = agencyById.get(agencyId)!.identityCode;
    // A stable sort: dossiers of the same minute keep the order they were generated in.
    list.sort((a, b) => a.row.submittedAt!.getTime() - b.row.submittedAt!.getTime());
    list.forEach((m, k) => {
      const code = formatDossierCode(codePattern, identity, day, k + 1);
      m.row.code = code;
      m.row.searchText = searchTextOf(code, m.applicant);
      for (const h of m.history) if (h.action === 'submit') h.data = { code };
    });
    counters.push({ agencyId, day, lastSeq: list.length });
  }

  const dossierRows = made.map((m) => m.row);
  const historyRows = made.flatMap((m) => m.history);
  const fileRows = made.flatMap((m) => m.files);
  const ratingRows = made.flatMap((m) => (m.rating ? [m.rating] : []));
  const paymentRows = made.flatMap((m) => m.payments);
  const transactionRows = made.flatMap((m) => m.transactions);
  // The audit records the live actions write: creation, each file attached, then each transition,
  // appended to the chain in time order (a stable sort keeps a dossier's records of one instant in that order).
  const auditRows = made.flatMap((m) => auditOf(m, roleOf, addressOf)).sort((a, b) => a.at.getTime() - b.at.getTime());
  const firstOnline = transactionRows.reduce<Date | null>((a, t) => (a && a <= t.receivedAt ? a : t.receivedAt), null);
  await db.transaction(async (tx) => {
    // The gateway's account, as the first payment confirmed online creates it (payments.service.ts ensureSystemUser).
    if (firstOnline) {
      await tx
        .insert(users)
        .values({
          id: PAYMENT_SYSTEM_USER_ID,
          username: 'system.payments',
          displayName: 'Cổng thanh toán (hệ thống)',
          passwordHash: null,
          kind: 'staff',
          isActive: false,
          createdAt: firstOnline,
        })
        .onConflictDoNothing();
    }
    for (let i = 0; i < dossierRows.length; i += 400) await tx.insert(dossiers).values(dossierRows.slice(i, i + 400));
    for (let i = 0; i < historyRows.length; i += 1000) await tx.insert(dossierHistory).values(historyRows.slice(i, i + 1000));
    for (let i = 0; i < fileRows.length; i += 1000) await tx.insert(dossierFiles).values(fileRows.slice(i, i + 1000));
    for (let i = 0; i < ratingRows.length; i += 1000) await tx.insert(dossierRatings).values(ratingRows.slice(i, i + 1000));
    for (let i = 0; i < paymentRows.length; i += 1000) await tx.insert(payments).values(paymentRows.slice(i, i + 1000));
    for (let i = 0; i < transactionRows.length; i += 1000) await tx.insert(paymentTransactions).values(transactionRows.slice(i, i + 1000));
    // Live numbering continues after the generated codes: never reuse a sequence number.
    for (let i = 0; i < counters.length; i += 1000) {
      await tx
        .insert(dossierCodeCounters)
        .values(counters.slice(i, i + 1000))
        .onConflictDoUpdate({
          target: [dossierCodeCounters.agencyId, dossierCodeCounters.day],
          set: { lastSeq: sql`GREATEST(${dossierCodeCounters.lastSeq}, excluded.last_seq)` },
        });
    }
    // Last: the chain's head stays locked from the first audit record until commit.
    for (let i = 0; i < auditRows.length; i += 1000) await tx.insert(auditLog).values(auditRows.slice(i, i + 1000));
  });
  return dossierRows.length;
}
