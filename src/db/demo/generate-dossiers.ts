import type { Keyring } from '../../platform/crypto.ts';
import { openUserFields, sealApplicant, sealForm } from '../../platform/personal-data.ts';
import { searchTextOf } from '../../modules/dossiers/dossiers.repo.ts';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { agencies, dossierFiles, dossierHistory, dossierRatings, dossiers, procedures, procedureVersions, userRoles, users } from '../schema.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { vnDate } from '../../platform/time.ts';
import { computeDueAt, DEFAULT_OFFICE_HOURS, WorkingCalendar, type Pause } from '../../modules/calendar/index.ts';
import type { DossierStatus } from '../../modules/dossiers/dossier-workflow.ts';
import { validateForm } from '../../modules/procedures/form-validation.ts';
import { ProcedureDefinition, type FormField } from '../../modules/procedures/procedures.schemas.ts';
import { demoCommunes } from './reference.ts';

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
type Rng = ReturnType<typeof rng>;

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Mai', 'Trịnh'];
const MIDDLE_M = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Công', 'Xuân', 'Thành'];
const MIDDLE_F = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Hồng', 'Phương', 'Kim', 'Bích'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt'];
const GIVEN_F = ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Nhung', 'Thảo', 'Trang', 'Yến'];
const STREETS = ['Trần Hưng Đạo', 'Hàn Thuyên', 'Trường Chinh', 'Lê Hồng Phong', 'Vị Xuyên', 'Điện Biên', 'Giải Phóng', 'Văn Cao'];
const COMPANIES = ['Công ty TNHH Dệt may Thành Công', 'Công ty CP Nông sản Xanh', 'Hợp tác xã Gạo Hải Hậu', 'Công ty TNHH Xây dựng Hoa Lư', 'Công ty CP Thương mại Phủ Lý'];

function personName(r: Rng) {
  const female = r.chance(0.5);
  return `${r.pick(FAMILY)} ${r.pick(female ? MIDDLE_F : MIDDLE_M)} ${r.pick(female ? GIVEN_F : GIVEN_M)}`;
}
function digits(r: Rng, n: number) {
  let s = '';
  for (let i = 0; i < n; i++) s += String(r.int(0, 9));
  return s;
}

export function fakeAnswer(f: FormField, r: Rng): string | number | boolean {
  switch (f.type) {
    case 'text':
      return /ho_ten|ten/.test(f.key) ? personName(r) : /dia_chi|noi/.test(f.key) ? `Số ${r.int(1, 300)} đường ${r.pick(STREETS)}` : `Nội dung ${f.label.toLowerCase()}`;
    case 'textarea':
      return `Đề nghị cơ quan xem xét giải quyết: ${f.label.toLowerCase()}.`;
    case 'number':
      return Math.max(f.min ?? 1, Math.min(f.max ?? 10, r.int(1, 5)));
    case 'date':
      return `${r.int(1960, 2025)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
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

interface Event {
  at: number;
  action: string;
  party: string;
  actorId: string | null;
  to: DossierStatus;
  note?: string;
}

const MIN = 60_000;
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Generates `count` dossiers over the twelve months before `now`, in every state, by walking
 * each through the real workflow with realistic timing (supplements, payments, late ones,
 * extensions, withdrawals, ratings) and writing the rows and history directly in batches. Due
 * dates come from the same calendar arithmetic as live dossiers. Returns the number generated.
 */
export async function generateDemoDossiers(db: Db, files: LocalFileStore, opts: { count: number; now: Date; seed: number; keyring: Keyring }): Promise<number> {
  const r = rng(opts.seed);
  const calendar = WorkingCalendar.fromOverrides();
  const office = DEFAULT_OFFICE_HOURS;
  const nowMs = opts.now.getTime();
  const procs = await db
    .select({ id: procedures.id, code: procedures.code, versionId: procedureVersions.id, version: procedureVersions.version, definition: procedureVersions.definition, competentAgencyId: procedures.competentAgencyId, popularity: procedures.popularity })
    .from(procedures)
    .innerJoin(procedureVersions, eq(procedureVersions.id, procedures.currentVersionId));
  const agencyRows = await db.select({ id: agencies.id, code: agencies.code, identityCode: agencies.identityCode, unitCode: agencies.unitCode, kind: agencies.kind }).from(agencies);
  const agencyByCode = new Map(agencyRows.map((a) => [a.code, a]));
  // A commune-tier dossier is decided by the committee of the applicant's commune (as competentAgencyFor does).
  const committeeByUnit = new Map(agencyRows.filter((a) => a.kind === 'commune_committee').map((a) => [a.unitCode, a.id]));
  const staffRows = await db.select({ id: users.id, username: users.username, role: userRoles.role, agencyId: userRoles.agencyId }).from(userRoles).innerJoin(users, eq(users.id, userRoles.userId));
  const applicantUsers = (
    await db
      .select({ id: users.id, username: users.username, kind: users.kind, displayName: users.displayName, idNumberEnc: users.idNumberEnc, phoneEnc: users.phoneEnc, taxCode: users.taxCode })
      .from(users)
      .where(inArray(users.kind, ['citizen', 'organisation']))
  ).map((u) => ({ ...u, idNumber: openUserFields(opts.keyring, u).idNumber }));
  const stored = await files.put(PDF, 1024 * 1024);

  // Every receiving centre needs a desk, a specialist and a leader; create sign-in-less staff where the demo has none.
  const staffFor = new Map<string, { reception: string; specialist: string; leader: string }>();
  for (const a of agencyRows.filter((x) => x.code.startsWith('TTPVHCC'))) {
    const have = (role: string) => staffRows.find((s) => s.agencyId === a.id && s.role === role)?.id;
    const make = async (role: 'reception' | 'specialist' | 'leader') => {
      const id = newId();
      await db.insert(users).values({ id, username: `demo.${role}.${a.code.toLowerCase()}`, displayName: `${personName(r)} (${role})`, passwordHash: null, kind: 'staff' });
      await db.insert(userRoles).values({ userId: id, role, agencyId: a.id });
      return id;
    };
    staffFor.set(a.id, { reception: have('reception') ?? (await make('reception')), specialist: have('specialist') ?? (await make('specialist')), leader: have('leader') ?? (await make('leader')) });
  }

  const parsed = procs.map((p) => ({ ...p, def: ProcedureDefinition.parse(p.definition) }));
  const totalWeight = parsed.reduce((s, p) => s + Math.max(1, p.popularity), 0);
  const pickProc = () => {
    let x = r.next() * totalWeight;
    for (const p of parsed) if ((x -= Math.max(1, p.popularity)) <= 0) return p;
    return parsed[parsed.length - 1]!;
  };
  const addWork = (start: number, hours: number, pauses: Pause[] = []) => computeDueAt({ start: new Date(start), value: hours, unit: 'hours', calendar, officeHours: office, pauses }).getTime();
  const randomOfficeInstant = (): number => {
    for (;;) {
      const day = nowMs - r.between(0.02, 365) * 86_400_000;
      const date = vnDate(new Date(day));
      if (!calendar.isWorkingDay(date)) continue;
      const period = r.pick(office.periods);
      const [sh, sm] = period.start.split(':').map(Number) as [number, number];
      const [eh, em] = period.end.split(':').map(Number) as [number, number];
      const minute = r.int(sh * 60 + sm, eh * 60 + em - 1);
      const t = Date.parse(`${date}T00:00:00+07:00`) + minute * MIN;
      if (t < nowMs) return t;
    }
  };

  const seqs = new Map<string, number>();
  const dossierRows: (typeof dossiers.$inferInsert)[] = [];
  const historyRows: (typeof dossierHistory.$inferInsert)[] = [];
  const fileRows: (typeof dossierFiles.$inferInsert)[] = [];
  const ratingRows: (typeof dossierRatings.$inferInsert)[] = [];

  for (let i = 0; i < opts.count; i++) {
    const p = pickProc();
    const def = p.def;
    const tSub = randomOfficeInstant();
    const receivingCode = def.tier === 'commune' && r.chance(0.4) ? r.pick(def.receivingAgencyCodes.filter((c) => c !== 'TTPVHCC').concat('TTPVHCC')) : def.receivingAgencyCodes[0]!;
    const receiving = agencyByCode.get(receivingCode)!;
    const staff = staffFor.get(receiving.id)!;
    const channel = def.channels.includes('online') && (def.onlineLevel === 'full' ? r.chance(0.75) : r.chance(0.4)) ? 'online' : def.channels.includes('post') && r.chance(0.08) ? 'post' : def.channels.includes('in_person') ? 'in_person' : 'online';
    // Applicant: now and then one of the demo accounts, so their pages have history.
    const isOrg = def.applicantTypes.includes('organisation') && (!def.applicantTypes.includes('citizen') || r.chance(0.3));
    const own = applicantUsers.find((u) => (isOrg ? u.kind === 'organisation' : u.kind === 'citizen') && r.chance(isOrg ? 0.2 : 0.03));
    const fullName = own ? own.displayName.replace(/ \(.*\)$/, '') : personName(r);
    const applicant = {
      type: isOrg ? 'organisation' : 'citizen',
      fullName,
      idNumber: own?.idNumber ?? `036${digits(r, 9)}`,
      ...(isOrg ? { taxCode: own?.taxCode ?? `06${digits(r, 8)}`, organisationName: r.pick(COMPANIES) } : {}),
      phone: `09${digits(r, 8)}`,
      address: { unitCode: r.pick(demoCommunes).code, detail: `Số ${r.int(1, 300)} đường ${r.pick(STREETS)}` },
    };
    const answers: Record<string, unknown> = {};
    for (const f of def.form) if (f.required || r.chance(0.5)) answers[f.key] = fakeAnswer(f, r);
    const form = validateForm(def.form, answers, { partial: false }).values;

    // Walk the workflow.
    const ev: Event[] = [{ at: tSub, action: 'submit', party: channel === 'online' ? 'applicant' : 'reception', actorId: channel === 'online' ? (own?.id ?? null) : staff.reception, to: 'submitted' }];
    const push = (at: number, action: string, party: string, actorId: string | null, to: DossierStatus, note?: string) => ev.push({ at, action, party, actorId, to, ...(note ? { note } : {}) });
    const tRec = channel === 'online' ? addWork(tSub, r.between(0.2, 6)) : tSub + r.int(3, 15) * MIN;
    let due = 0;
    let pauses: Pause[] = [];
    let originalDue = 0;
    let rating: { rating: string; at: number } | null = null;
    const fate = r.next();
    if (fate < 0.04) {
      push(tRec, 'refuse', 'reception', staff.reception, 'refused', 'Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan');
    } else {
      push(tRec, 'receive', 'reception', staff.reception, 'received');
      due = computeDueAt({ start: new Date(tRec), value: def.duration.value, unit: def.duration.unit, calendar, officeHours: office }).getTime();
      originalDue = due;
      let t = addWork(tRec, r.between(0.2, 2));
      push(t, 'assign', 'reception', staff.reception, 'in_progress');
      const nSupp = r.chance(0.15) ? (r.chance(0.2) ? 2 : 1) : 0;
      for (let s = 0; s < nSupp; s++) {
        t = addWork(t, r.between(0.5, 4), pauses);
        push(t, 'request_supplement', 'specialist', staff.specialist, 'supplement_requested', 'Bổ sung bản sao giấy tờ còn thiếu');
        const back = t + r.between(1, 6) * 86_400_000;
        push(back, 'supplement', 'applicant', own?.id ?? null, 'submitted');
        const resumed = addWork(back, r.between(0.1, 3));
        push(resumed, 'receive', 'reception', staff.reception, 'in_progress');
        pauses = [...pauses, { from: new Date(t), to: new Date(resumed) }];
        due = computeDueAt({ start: new Date(tRec), value: def.duration.value, unit: def.duration.unit, calendar, officeHours: office, pauses }).getTime();
        t = resumed;
      }
      if (def.fees.some((f) => f.amount > 0)) {
        t = addWork(t, r.between(0.2, 2));
        push(t, 'request_payment', 'specialist', staff.specialist, 'payment_requested', 'Nộp phí, lệ phí theo quy định');
        t = addWork(t, r.between(0.5, 8));
        push(t, 'confirm_payment', 'reception', staff.reception, 'in_progress');
      }
      if (fate < 0.06) {
        push(addWork(t, r.between(1, 8)), 'withdraw', 'applicant', own?.id ?? null, 'withdrawn', 'Công dân xin rút hồ sơ');
      } else if (fate < 0.07) {
        push(addWork(t, r.between(1, 8)), 'stop', 'leader', staff.leader, 'stopped', 'Dừng xử lý theo đề nghị của cơ quan có thẩm quyền');
      } else {
        const late = r.chance(0.14);
        const span = due - tRec;
        let finish = Math.max(t + 30 * MIN, late ? due + span * r.between(0.05, 0.8) + 2 * 3_600_000 : tRec + (due - tRec) * r.between(0.3, 0.95));
        if (!late && finish > due) finish = due - 10 * MIN;
        // Forward through the steps between assignment and the leader's decision.
        const steps = def.workflow.length;
        for (let s = 1; s < steps; s++) {
          const at = t + ((finish - t) * s) / steps;
          push(at, 'forward', def.workflow[s - 1]!.role, def.workflow[s - 1]!.role === 'leader' ? staff.leader : staff.specialist, 'in_progress');
        }
        if (late && r.chance(0.5) && due - 3_600_000 > t) {
          const newDue = due + Math.max(span * 0.6, 86_400_000);
          ev.push({ at: due - 3_600_000, action: 'extend', party: 'leader', actorId: staff.leader, to: 'in_progress', note: 'Xin lỗi công dân vì hồ sơ cần thêm thời gian thẩm định; hẹn lại ngày trả kết quả' });
          due = newDue;
        }
        push(finish, 'approve', 'leader', staff.leader, 'done');
        const ret = addWork(finish, r.between(0.2, 16));
        push(ret, 'return_result', 'reception', staff.reception, 'returned');
        if (r.chance(0.6)) {
          const x = r.next();
          rating = { rating: x < 0.68 ? 'very_satisfied' : x < 0.94 ? 'satisfied' : 'dissatisfied', at: ret + 3_600_000 };
        }
      }
    }
    ev.sort((a, b) => a.at - b.at);
    const past = ev.filter((e) => e.at <= nowMs);
    const last = past.at(-1)!;
    const status = last.to;
    const id = newId(tSub);
    const day = vnDate(new Date(tSub));
    const seqKey = `${receiving.id}|${day}`;
    const seq = (seqs.get(seqKey) ?? 0) + 1;
    seqs.set(seqKey, seq);
    const code = `${receiving.identityCode}-${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}-${String(seq).padStart(4, '0')}`;
    const at = (action: string) => past.find((e) => e.action === action)?.at;
    const finishedAt = past.find((e) => ['approve', 'refuse', 'withdraw', 'stop'].includes(e.action))?.at;
    const isReceived = at('receive') !== undefined;
    const pastSupp = past.filter((e) => e.action === 'request_supplement').length;
    const pastExt = past.filter((e) => e.action === 'extend').length;
    // The due date as it stood at `now`: pauses and extensions that happened so far.
    const pastPauses = pauses.filter((pp) => pp.to.getTime() <= nowMs);
    let dueNow = isReceived ? computeDueAt({ start: new Date(at('receive')!), value: def.duration.value, unit: def.duration.unit, calendar, officeHours: office, pauses: pastPauses }).getTime() : null;
    if (pastExt > 0) dueNow = due;
    const stepIndex = status === 'in_progress' || status === 'supplement_requested' || status === 'payment_requested' || status === 'done' || status === 'returned' ? Math.min(past.filter((e) => e.action === 'forward').length, def.workflow.length - 1) : null;
    const sealed = sealApplicant(opts.keyring, id, applicant);
    dossierRows.push({
      id,
      code,
      procedureId: p.id,
      procedureVersionId: p.versionId,
      procedureCode: p.code,
      procedureVersion: p.version,
      receivingAgencyId: receiving.id,
      competentAgencyId: (def.tier === 'commune' && committeeByUnit.get(applicant.address.unitCode)) || p.competentAgencyId,
      status,
      channel,
      applicantType: applicant.type,
      applicant: sealed.stored,
      applicantIdNumberEnc: sealed.idNumberEnc,
      applicantIdNumberHash: sealed.idNumberHash,
      applicantPhoneEnc: sealed.phoneEnc,
      applicantUserId: own?.id ?? null,
      createdBy: own?.id ?? staff.reception,
      form: sealForm(opts.keyring, id, def.form, form),
      unitCode: applicant.address.unitCode,
      assigneeId: at('assign') !== undefined ? staff.specialist : null,
      stepIndex: at('assign') !== undefined ? stepIndex ?? 0 : null,
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
      searchText: searchTextOf(code, { fullName, ...('organisationName' in applicant ? { organisationName: applicant.organisationName, taxCode: applicant.taxCode } : {}) }),
      version: past.length + 1,
      createdAt: new Date(tSub - 10 * MIN),
      updatedAt: new Date(last.at),
    });
    let prev: DossierStatus = 'draft';
    historyRows.push({ dossierId: id, at: new Date(tSub - 10 * MIN), action: 'create', actorId: own?.id ?? staff.reception, actorRole: own ? 'applicant' : 'reception', fromStatus: null, toStatus: 'draft', note: null, data: {} });
    for (const e of past) {
      historyRows.push({ dossierId: id, at: new Date(e.at), action: e.action, actorId: e.actorId, actorRole: e.party, fromStatus: prev, toStatus: e.to, note: e.note ?? null, data: e.action === 'submit' ? { code } : {} });
      prev = e.to;
    }
    for (const c of def.components.filter((c) => c.required)) {
      fileRows.push({ id: newId(tSub), dossierId: id, componentCode: c.code, fileName: `${c.code}.pdf`, mediaType: stored.mediaType, size: stored.size, sha256: stored.sha256, storageKey: stored.storageKey, uploadedBy: own?.id ?? staff.reception, createdAt: new Date(tSub - 5 * MIN) });
    }
    // Ratings of applicants without an account were given at the counter, recorded by the desk.
    if (rating && status === 'returned' && rating.at <= nowMs) {
      ratingRows.push({ dossierId: id, rating: rating.rating, comment: null, userId: own?.id ?? staff.reception, createdAt: new Date(rating.at) });
    }
  }

  await db.transaction(async (tx) => {
    for (let i = 0; i < dossierRows.length; i += 400) await tx.insert(dossiers).values(dossierRows.slice(i, i + 400));
    for (let i = 0; i < historyRows.length; i += 1000) await tx.insert(dossierHistory).values(historyRows.slice(i, i + 1000));
    for (let i = 0; i < fileRows.length; i += 1000) await tx.insert(dossierFiles).values(fileRows.slice(i, i + 1000));
    for (let i = 0; i < ratingRows.length; i += 1000) await tx.insert(dossierRatings).values(ratingRows.slice(i, i + 1000));
    // Live numbering continues after the generated codes: never reuse a sequence number.
    for (const [key, seq] of seqs) {
      const [agencyId, day] = key.split('|') as [string, string];
      await tx.execute(sql`INSERT INTO dossier_code_counters (agency_id, day, last_seq) VALUES (${agencyId}, ${day}, ${seq})
        ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = GREATEST(dossier_code_counters.last_seq, EXCLUDED.last_seq)`);
    }
  });
  return dossierRows.length;
}
