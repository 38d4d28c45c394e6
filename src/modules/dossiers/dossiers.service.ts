import { createHash } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { queryRows, sql, type Db } from '../../db/client.ts';
import { agencies, dossierFiles, dossierRatings, dossiers, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import { scopeOf, STAFF_ROLES, type Actor, type Ctx } from '../../platform/context.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { idNumberHash, openForm, sealApplicant, sealForm } from '../../platform/personal-data.ts';
import { AppError, notFound, type ErrorReasons, type FieldError } from '../../platform/errors.ts';
import { checkUpload, removeUnlessCommitted, sanitiseFileName, type LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import { getSetting } from '../../platform/settings.ts';
import { cleanText, isMobilePhone, normalisePhone } from '../../platform/text.ts';
import { TtlCache } from '../../platform/cache.ts';
import { formatVnDateTime, toIso, vnDate } from '../../platform/time.ts';
import {
  computeDueAt,
  isWorkingTime,
  legalDuration,
  loadClock,
  moveCalendarDueAt,
  nextWorkingClose,
  stepDeadlines,
  workingDaysBetween,
  workingMinutesBetween,
  type Clock,
} from '../calendar/index.ts';
import { validateForm } from '../procedures/form-validation.ts';
import { agencyUnitMaps, unitCodeReason } from '../reference/reference.service.ts';
import { findProcedure, findProcedureByVersionId, type ProcedureRecord } from '../procedures/procedures.repo.ts';
import {
  decideForParties,
  allowedActions as allowedActionsFor,
  NO_FEES_REASON,
  type DossierAction,
  type DossierFacts,
  type DossierParty,
  type DossierStatus,
  type ExtensionFacts,
} from './dossier-workflow.ts';
import type { ActionBody, Applicant, CreateDossierBody } from './dossiers.schemas.ts';
import { appendHistory, findDossier, findDossierWithDetails, findIdempotent, isSpecialistFor, searchTextOf, type DossierRow } from './dossiers.repo.ts';
import { attachInGroup, createInGroup, submitNewInGroup, type CreateItem } from './draft-writes.ts';
import { submitInGroup } from './submit-batcher.ts';
import { createPaymentRequest, settlePaymentsOnConfirm } from '../payments/payment-requests.ts';

const DOSSIER = 'hồ sơ';
export const dossierNotFound = () => notFound('DOSSIER_NOT_FOUND', DOSSIER);

// ---------------------------------------------------------------------------------------------
// Who is who for one dossier

/** The parts the actor plays for this dossier (none: the dossier is invisible to them → 404). */
/** The component the sealed result documents are filed under (documents module: sealResult). */
export const RESULT_COMPONENT = 'ket_qua';

/**
 * Whether these parties see a dossier's sealed results and their files: staff handling it always;
 * the applicant only once the result is decided (`done`) or handed over (`returned`). A result
 * sealed while the dossier is still in progress waits for the leader's approval, so the applicant
 * must not receive it before. The one rule for the view, the file download, reuse and the results
 * lists (API and portal).
 */
export function resultsVisible(parties: readonly DossierParty[], status: string): boolean {
  return parties.some((p) => p !== 'applicant') || status === 'done' || status === 'returned';
}

export function partiesOf(
  actor: Actor,
  d: Pick<DossierRow, 'applicantUserId' | 'createdBy' | 'status' | 'receivingAgencyId' | 'competentAgencyId'>,
): DossierParty[] {
  const parties: DossierParty[] = [];
  if (d.applicantUserId === actor.userId) parties.push('applicant');
  // A citizen's unsubmitted draft is theirs alone; drafts made at the desk are the desk's too.
  const isPrivateDraft = d.status === 'draft' && d.createdBy === d.applicantUserId;
  if (isPrivateDraft) return parties;
  // Each staff role counts only where its own grant reaches: the desk of A who leads B is a leader in B only.
  for (const r of STAFF_ROLES) {
    const scope = scopeOf(actor, [r]);
    if (scope.includes(d.receivingAgencyId) || scope.includes(d.competentAgencyId)) parties.push(r);
  }
  return parties;
}

export function factsOf(d: DossierRow, proc: ProcedureRecord, actor: Actor, extension?: ExtensionFacts): DossierFacts {
  const steps = proc.definition.workflow;
  const step = d.stepIndex === null ? null : (steps[d.stepIndex] ?? null);
  return {
    status: d.status as DossierStatus,
    isReceived: d.receivedAt !== null,
    stepRole: d.status === 'in_progress' && step ? step.role : null,
    isLastStep: d.stepIndex !== null && d.stepIndex === steps.length - 1,
    isAssignee: d.assigneeId === actor.userId,
    hasAssignee: d.assigneeId !== null,
    hasFees: proc.definition.fees.some((f) => f.amount > 0),
    ...(extension ? { extension } : {}),
  };
}

/**
 * What the extension policy (setting `dossier_extension`) says about this dossier now: who may
 * grant one, whether the limit is reached, whether it is too early (not late, and due later
 * than the window). Only a received, unfinished dossier can be extended, so the others skip the
 * calendar: the guard refuses them for that reason, and the approvers still decide 403 or 409.
 */
export async function extensionFactsOf(
  db: Db,
  d: Pick<DossierRow, 'receivedAt' | 'finishedAt' | 'dueAt' | 'pausedAt' | 'extensionCount'>,
  now: Date,
): Promise<ExtensionFacts> {
  const policy = await getSetting(db, 'dossier_extension');
  if (!d.receivedAt || d.finishedAt) return { approvers: policy.approverRoles, limitReached: false, tooEarly: false };
  let tooEarly = false;
  if (policy.withinWorkingDaysOfDue !== null && d.dueAt) {
    // A paused clock is judged at its pause, as for "overdue".
    const at = d.pausedAt ?? now;
    if (at.getTime() < d.dueAt.getTime()) {
      const clock = await loadClock(db);
      tooEarly = workingDaysBetween(at, d.dueAt, clock.calendar, clock.officeHours) > policy.withinWorkingDaysOfDue;
    }
  }
  return { approvers: policy.approverRoles, limitReached: policy.maxExtensions !== null && d.extensionCount >= policy.maxExtensions, tooEarly };
}

/**
 * When each workflow step should be finished (calendar `stepDeadlines`: the step shares of the
 * legal time, pauses added; the last step at the due date); none before reception.
 */
export async function workflowStepDeadlines(
  db: Db,
  d: Pick<DossierRow, 'receivedAt' | 'originalDueAt' | 'dueAt' | 'pauses'>,
  shares: number[],
): Promise<Date[]> {
  if (!d.receivedAt || !d.originalDueAt || !d.dueAt) return [];
  const clock = await loadClock(db);
  const pauses = (d.pauses as { from: string; to: string }[]).map((p) => ({ from: new Date(p.from), to: new Date(p.to) }));
  return stepDeadlines({
    receivedAt: d.receivedAt,
    originalDueAt: d.originalDueAt,
    dueAt: d.dueAt,
    shares,
    pauses,
    calendar: clock.calendar,
    officeHours: clock.officeHours,
  });
}

const WEEKDAYS_VI = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

/**
 * The first day an extension's new due date may fall on, at the close of office (what the
 * officers' page sends for a date): a working day, closing after both the due date and now.
 */
export function firstExtensionDay(dueAt: Date | null, now: Date, clock: Clock): string {
  return vnDate(nextWorkingClose(dueAt && dueAt.getTime() > now.getTime() ? dueAt : now, clock.calendar, clock.officeHours));
}

/** "Thứ Hai 30/11/2026". */
function dayNameVi(date: string): string {
  return `${WEEKDAYS_VI[new Date(`${date}T00:00:00Z`).getUTCDay()]} ${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Refuses a new due date outside working time, naming the next working day. Errors: DOSSIER_NEW_DUE_INVALID. */
function assertNewDueInWorkingTime(newDue: Date, clock: Clock): void {
  let next: Date;
  try {
    if (isWorkingTime(newDue, clock.calendar, clock.officeHours)) return;
    next = nextWorkingClose(newDue, clock.calendar, clock.officeHours);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new AppError('invalid', 'DOSSIER_NEW_DUE_INVALID', {
      userMessage: 'Ngày hẹn trả mới nằm ngoài lịch làm việc (các năm 1990–2100).',
      errors: [{ path: 'newDueAt', message: 'Ngoài lịch làm việc' }],
      cause: { reason: 'outside_calendar', reasons: [[{ reason: 'field_outside_calendar' }]] } satisfies ErrorReasons,
    });
  }
  const hours = clock.officeHours.periods.map((p) => `${p.start}–${p.end}`).join(', ');
  const day = vnDate(newDue);
  const nextDay = dayNameVi(vnDate(next));
  const workingDay = clock.calendar.isWorkingDay(day);
  const what = workingDay ? `${formatVnDateTime(newDue)} ngoài giờ làm việc (${hours})` : `${dayNameVi(day)} không phải ngày làm việc`;
  // For pages: the days as YYYY-MM-DD, which a page words with their weekday in its language.
  const cause: ErrorReasons = {
    ...(workingDay
      ? { reason: 'outside_hours', params: { at: formatVnDateTime(newDue), hours, nextDay: vnDate(next) } }
      : { reason: 'non_working_day', params: { dueDay: day, nextDay: vnDate(next) } }),
    reasons: [[{ reason: 'field_not_working_time', params: { nextDay: vnDate(next) } }]],
  };
  throw new AppError('invalid', 'DOSSIER_NEW_DUE_INVALID', {
    userMessage: `Ngày hẹn trả mới phải vào giờ làm việc của một ngày làm việc: ${what}. Ngày làm việc tiếp theo là ${nextDay}.`,
    errors: [{ path: 'newDueAt', message: `Không phải thời gian làm việc; ngày làm việc tiếp theo: ${nextDay}` }],
    details: { nextWorkingDay: vnDate(next), suggestedNewDueAt: toIso(next) },
    cause,
  });
}

/** Loads a dossier the actor may see, with its procedure version; 404 otherwise. */
async function loadVisible(db: Db, actor: Actor, idOrCode: string, forUpdate = false) {
  const d = await findDossier(db, idOrCode, forUpdate);
  if (!d) throw dossierNotFound();
  const parties = partiesOf(actor, d);
  if (parties.length === 0) throw dossierNotFound();
  const proc = await findProcedureByVersionId(db, d.procedureVersionId);
  if (!proc) throw new AppError('internal', 'PROCEDURE_VERSION_MISSING');
  return { d, proc, parties };
}

/** What an If-Match accepts: one version, or any of a list (an empty list matches nothing); undefined: any version. */
export type IfMatch = number | readonly number[];

export function checkVersion(d: DossierRow, ifMatch: IfMatch | undefined) {
  const matches = ifMatch === undefined || (typeof ifMatch === 'number' ? ifMatch === d.version : ifMatch.includes(d.version));
  if (!matches) {
    throw new AppError('precondition_failed', 'DOSSIER_VERSION_STALE', {
      userMessage: 'Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái mới nhất.',
      details: { currentVersion: d.version },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Drafts

async function checkUnitCodes(db: Db, codes: { path: string; code: string }[], at: string): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const { path, code } of codes) {
    // A code replaced by a reorganisation names its successors (admin_unit_successions).
    const problem = await unitCodeReason(db, code, at);
    if (problem) errors.push({ path, message: problem.message, ...problem.reason });
  }
  return errors;
}

function normaliseApplicant(a: Applicant): Applicant {
  return {
    ...a,
    fullName: cleanText(a.fullName),
    ...(a.organisationName ? { organisationName: cleanText(a.organisationName) } : {}),
    ...(a.taxCode ? { taxCode: a.taxCode.replace('-', '') } : {}),
    ...(a.phone ? { phone: normalisePhone(a.phone) ?? a.phone } : {}),
    ...(a.address ? { address: { unitCode: a.address.unitCode, detail: cleanText(a.address.detail) } } : {}),
  };
}

/** The account of the person (or organisation) with this ID number, if they have one (by the number's keyed hash). */
async function findApplicantAccount(db: Db, keyring: Keyring, a: Applicant): Promise<string | null> {
  const [owner] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.idNumberHash, idNumberHash(keyring, a.idNumber)), eq(users.kind, a.type === 'citizen' ? 'citizen' : 'organisation')))
    .limit(1);
  return owner?.id ?? null;
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Whether the dossier `id` is in the database (after a write whose outcome is unknown). */
async function dossierExists(db: Db, id: string): Promise<boolean> {
  return (await queryRows(db, sql`SELECT 1 AS one FROM dossiers WHERE id = ${id}`)).length > 0;
}

/**
 * Creates a draft dossier. A citizen or organisation files for themselves (channel online); the
 * desk files for a walk-in applicant (channel in person or post), and the dossier is linked to
 * the applicant's account when one exists with that ID number. With an Idempotency-Key, a
 * repeated request returns the same draft. Errors: PROCEDURE_NOT_FOUND, DOSSIER_CHANNEL_NOT_ALLOWED,
 * DOSSIER_APPLICANT_TYPE_NOT_ALLOWED, DOSSIER_AGENCY_NOT_RECEIVING, DOSSIER_FORM_INVALID,
 * IDEMPOTENCY_KEY_REUSED, ROLE_REQUIRED.
 */
export async function createDossier(ctx: Ctx, body: CreateDossierBody, idempotencyKey?: string): Promise<{ id: string; replayed: boolean }> {
  const who = filer(ctx);
  const hash = requestHash(body);
  if (idempotencyKey) {
    const prior = await findIdempotent(ctx.db, who.actor.userId, 'dossier.create', idempotencyKey);
    if (prior) return replay(prior, hash);
  }
  const { item } = await prepareNewDossier(ctx, who, body);
  // Written with the next group of drafts (draft-writes.ts): the key (when given) is claimed
  // first, and the dossier, its history and audit are written only if it was free.
  let written: boolean;
  try {
    written = await createInGroup(ctx.db, { ...item, idempotency: idempotencyKey ? { key: idempotencyKey, requestHash: hash } : null });
  } catch (err) {
    // A group whose commit took effect but whose answer was lost is retried item by item, and the
    // retry finds this draft's id taken (23505): the draft is there, so that is the answer.
    if (await dossierExists(ctx.db, item.id).catch(() => false)) return { id: item.id, replayed: false };
    throw err;
  }
  if (written) return { id: item.id, replayed: false };
  // The key was taken by an earlier (or simultaneous) request: answer as that one did.
  const prior = await findIdempotent(ctx.db, who.actor.userId, 'dossier.create', idempotencyKey!);
  if (!prior) throw new AppError('internal', 'IDEMPOTENCY_RECORD_MISSING');
  return replay(prior, hash);
}

/**
 * The agency that decides a new dossier. Any service centre receives a commune-tier procedure,
 * but the People's Committee of the commune the dossier concerns decides it (Decree 118/2025,
 * DOMAIN section 1): the commune of the applicant's address, else the commune of the receiving
 * centre; the procedure's own competent agency when neither is a commune with an active
 * committee. Province-tier procedures are decided by their competent agency.
 */
export async function competentAgencyFor(db: Db, proc: ProcedureRecord, receivingAgencyId: string, addressUnit: string | null): Promise<string> {
  if (proc.definition.tier !== 'commune') return proc.competentAgency.id;
  const c = await agencyUnitMaps(db);
  const receivingUnit = c.unitOfAgency.get(receivingAgencyId);
  return (addressUnit && c.committeeByUnit.get(addressUnit)) || (receivingUnit && c.committeeByUnit.get(receivingUnit)) || proc.competentAgency.id;
}

export type FilingRefusal = 'ROLE_REQUIRED' | 'DOSSIER_CHANNEL_NOT_ALLOWED' | 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED';

/**
 * Why a procedure takes no new dossier by this channel (from this type of applicant, when given),
 * or null when it does: the rule createDossier, submitNewDossier and a draft moved to a new
 * procedure version apply.
 */
export function filingRefusal(
  def: Pick<ProcedureRecord['definition'], 'channels' | 'applicantTypes'>,
  channel: string,
  applicantType?: string,
): FilingRefusal | null {
  if (!(def.channels as readonly string[]).includes(channel)) return 'DOSSIER_CHANNEL_NOT_ALLOWED';
  if (applicantType !== undefined && !(def.applicantTypes as readonly string[]).includes(applicantType)) return 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED';
  return null;
}

/**
 * Why this account cannot start an online dossier of the procedure for itself, or null when it
 * can: only citizens and organisations file online for themselves (filer), as what they are. The
 * portal offers "Nộp hồ sơ trực tuyến" only when this is null.
 */
export function selfFilingRefusal(kind: Actor['kind'], def: Pick<ProcedureRecord['definition'], 'channels' | 'applicantTypes'>): FilingRefusal | null {
  if (kind !== 'citizen' && kind !== 'organisation') return 'ROLE_REQUIRED';
  return filingRefusal(def, 'online', kind);
}

interface Filer {
  actor: Actor;
  isDesk: boolean;
  isApplicantUser: boolean;
}

/** Who may file a new dossier: a citizen or organisation for themselves, or the desk for a walk-in. */
function filer(ctx: Ctx): Filer {
  const actor = requireActor(ctx.actor);
  const isDesk = actor.roles.some((r) => r.role === 'reception');
  const isApplicantUser = actor.kind === 'citizen' || actor.kind === 'organisation';
  if (!isDesk && !isApplicantUser) {
    throw new AppError('forbidden', 'ROLE_REQUIRED', { userMessage: 'Chỉ công dân, tổ chức hoặc bộ phận một cửa được tạo hồ sơ.' });
  }
  return { actor, isDesk, isApplicantUser };
}

/**
 * Checks a new dossier (procedure, channel, applicant type, receiving agency, answers as far as
 * given, SMS consent) and builds its row, personal data sealed. Also lists what a submission
 * would still miss: required answers not given.
 */
async function prepareNewDossier(
  ctx: Ctx,
  { actor, isDesk, isApplicantUser }: Filer,
  body: CreateDossierBody,
): Promise<{ item: Omit<CreateItem, 'idempotency'>; proc: ProcedureRecord; missing: FieldError[] }> {
  const proc = await findProcedure(ctx.db, body.procedureCode);
  if (!proc) throw notFound('PROCEDURE_NOT_FOUND', 'thủ tục hành chính');
  const def = proc.definition;
  const channel = body.channel ?? (isApplicantUser ? 'online' : 'in_person');
  if (isApplicantUser && !isDesk && channel !== 'online') {
    throw new AppError('invalid', 'DOSSIER_CHANNEL_NOT_ALLOWED', {
      userMessage: 'Hồ sơ do công dân tự nộp là hồ sơ trực tuyến.',
      cause: { reason: 'online_only' } satisfies ErrorReasons,
    });
  }
  // The desk files for an applicant in front of it or whose papers came by post; an online dossier is
  // one the applicant files (it counts as online in the service index and the reports).
  if (isDesk && !isApplicantUser && channel === 'online') {
    throw new AppError('invalid', 'DOSSIER_CHANNEL_NOT_ALLOWED', {
      userMessage: 'Hồ sơ do bộ phận một cửa tạo là hồ sơ nộp trực tiếp hoặc qua bưu chính.',
      cause: { reason: 'desk_offline_only' } satisfies ErrorReasons,
    });
  }
  if (filingRefusal(def, channel)) {
    throw new AppError('invalid', 'DOSSIER_CHANNEL_NOT_ALLOWED', {
      userMessage: 'Thủ tục này không nhận hồ sơ qua kênh đã chọn.',
      details: { allowed: def.channels },
      cause: { reason: 'channel_closed' } satisfies ErrorReasons,
    });
  }
  const applicant = normaliseApplicant(body.applicant);
  if (filingRefusal(def, channel, applicant.type)) {
    throw new AppError('invalid', 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED', {
      userMessage: 'Đối tượng này không được thực hiện thủ tục.',
      details: { allowed: def.applicantTypes },
    });
  }
  // Receiving centre: the desk's own (when it receives this procedure), else the one chosen, else the first.
  const receiving = proc.receivingAgencies;
  const wanted =
    body.agencyCode ?? (isDesk && !isApplicantUser ? actor.roles.find((r) => r.role === 'reception')?.agencyCode : undefined) ?? receiving[0]?.code;
  const agency = receiving.find((a) => a.code === wanted);
  if (!agency || (isDesk && !isApplicantUser && !scopeOf(actor, ['reception']).includes(agency.id))) {
    throw new AppError('invalid', 'DOSSIER_AGENCY_NOT_RECEIVING', {
      userMessage: 'Cơ quan đã chọn không tiếp nhận thủ tục này.',
      details: { receivingAgencies: receiving.map((a) => a.code) },
    });
  }
  const check = validateForm(def.form, body.form, { partial: true, fees: def.fees, now: ctx.now });
  const unitErrors = await checkUnitCodes(
    ctx.db,
    check.unitCodes
      .map((u) => ({ path: `form.${u.key}`, code: u.code }))
      .concat(applicant.address ? [{ path: 'applicant.address.unitCode', code: applicant.address.unitCode }] : []),
    vnDate(ctx.now),
  );
  const errors = [...check.errors, ...unitErrors];
  if (errors.length) throw new AppError('invalid', 'DOSSIER_FORM_INVALID', { userMessage: 'Một số thông tin chưa hợp lệ.', errors });

  const applicantUserId = isApplicantUser && !isDesk ? actor.userId : await findApplicantAccount(ctx.db, ctx.keyring, applicant);
  const id = newId(ctx.now.getTime());
  const sealed = sealApplicant(ctx.keyring, id, applicant);
  // Consent given at the counter counts only for a walk-in applicant, and only with a mobile to send to (a landline takes no SMS).
  if (body.smsConsent && (!isDesk || isApplicantUser)) {
    throw new AppError('invalid', 'DOSSIER_SMS_CONSENT_INVALID', {
      userMessage: 'Chỉ bộ phận một cửa ghi nhận đồng ý nhận tin nhắn của người nộp trực tiếp.',
      errors: [{ path: 'smsConsent', message: 'Chỉ dành cho hồ sơ do bộ phận một cửa tạo' }],
      cause: { reason: 'desk_only', reasons: [[{ reason: 'field_desk_only' }]] } satisfies ErrorReasons,
    });
  }
  if (body.smsConsent && !(applicant.phone && isMobilePhone(applicant.phone))) {
    throw new AppError('invalid', 'DOSSIER_SMS_CONSENT_INVALID', {
      userMessage: applicant.phone ? 'Tin nhắn chỉ gửi được tới số di động; số đã ghi là số cố định.' : 'Cần số điện thoại để gửi tin nhắn.',
      errors: [{ path: 'applicant.phone', message: applicant.phone ? 'Cần số di động để gửi tin nhắn' : 'Cần số điện thoại' }],
      cause: (applicant.phone
        ? { reason: 'landline', reasons: [[{ reason: 'field_landline' }]] }
        : { reason: 'no_phone', reasons: [[{ reason: 'field_no_phone' }]] }) satisfies ErrorReasons,
    });
  }
  const smsConsentAt = body.smsConsent ? ctx.now : null;
  const role = isDesk && !isApplicantUser ? 'reception' : 'applicant';
  return {
    proc,
    missing: validateForm(def.form, body.form, { partial: false, fees: def.fees, now: ctx.now }).errors,
    item: {
      id,
      procedureId: proc.id,
      procedureVersionId: proc.versionId,
      procedureCode: proc.code,
      procedureVersion: proc.version,
      receivingAgencyId: agency.id,
      competentAgencyId: await competentAgencyFor(ctx.db, proc, agency.id, applicant.address?.unitCode ?? null),
      channel,
      applicantType: applicant.type,
      applicant: sealed.stored,
      idNumberEnc: sealed.idNumberEnc,
      idNumberHash: sealed.idNumberHash,
      phoneEnc: sealed.phoneEnc,
      smsConsentAt,
      applicantUserId,
      actorId: actor.userId,
      actorRole: role,
      sessionId: isApplicantUser && !isDesk ? actor.sessionId : null,
      form: sealForm(ctx.keyring, id, def.form, check.values),
      unitCode: applicant.address?.unitCode ?? null,
      searchText: searchTextOf(null, applicant),
      at: ctx.now,
      ip: ctx.ip ?? null,
      auditDetails: { procedure: proc.code, channel, smsConsent: smsConsentAt !== null },
    },
  };
}

function replay(prior: { requestHash: string; resourceId: string }, hash: string) {
  if (prior.requestHash !== hash) {
    throw new AppError('conflict', 'IDEMPOTENCY_KEY_REUSED', { userMessage: 'Khoá chống trùng lặp đã được dùng cho một yêu cầu khác.' });
  }
  return { id: prior.resourceId, replayed: true };
}

/**
 * Whether the actor may edit the dossier's content: a draft by its applicant or the desk that
 * files it; a dossier waiting for a supplement by its applicant, or by the desk when the
 * dossier came in at the counter or by post, or its applicant has no account (the papers are
 * brought to the counter).
 */
function assertCanEditContent(parties: DossierParty[], d: DossierRow, actor: Actor) {
  const ownDraft = d.createdBy === actor.userId;
  const allowed =
    (d.status === 'draft' && (ownDraft || parties.includes('reception'))) ||
    (d.status === 'supplement_requested' &&
      (parties.includes('applicant') || (parties.includes('reception') && (d.applicantUserId === null || d.channel !== 'online'))));
  if (!allowed) {
    const mayEver = parties.includes('applicant') || parties.includes('reception');
    throw new AppError(mayEver ? 'conflict' : 'forbidden', mayEver ? 'DOSSIER_NOT_EDITABLE' : 'DOSSIER_EDIT_FORBIDDEN', {
      userMessage: mayEver ? 'Hồ sơ ở trạng thái này không sửa được.' : 'Bạn không có quyền sửa hồ sơ này.',
      details: { dossierStatus: d.status },
    });
  }
}

/**
 * A change to the content of a dossier already submitted (while it waits for a supplement) goes
 * into its history too: what was supplemented or taken out is part of its record. A draft's
 * edits are the applicant's work in progress (the audit log keeps them).
 */
async function recordContentChange(tx: Db, d: DossierRow, parties: DossierParty[], actor: Actor, at: Date, action: string, data: Record<string, unknown> = {}) {
  if (d.status === 'draft') return;
  const actorRole = parties.includes('applicant') ? 'applicant' : 'reception';
  await appendHistory(tx, { dossierId: d.id, at, action, actorId: actor.userId, actorRole, fromStatus: d.status, toStatus: d.status, data });
}

/** Saves changes to a draft (or to a dossier returned for supplement). Errors: DOSSIER_NOT_EDITABLE, DOSSIER_FORM_INVALID, DOSSIER_VERSION_STALE. */
export async function updateDossier(
  ctx: Ctx,
  idOrCode: string,
  patch: { applicant?: Applicant | undefined; form?: Record<string, unknown> | undefined; channel?: string | undefined },
  ifMatch?: IfMatch,
) {
  const actor = requireActor(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const { d, proc, parties } = await loadVisible(tx, actor, idOrCode, true);
    checkVersion(d, ifMatch);
    assertCanEditContent(parties, d, actor);
    const set: Partial<typeof dossiers.$inferInsert> = { updatedAt: ctx.now, version: d.version + 1 };
    let formChanged = false;
    if (patch.form) {
      const before = openForm(ctx.keyring, d.id, d.form);
      const merged = { ...before, ...patch.form };
      // After submission the answers it was accepted with stay acceptable (a requested date that has since passed).
      const settled = d.status === 'draft' ? undefined : before;
      const check = validateForm(proc.definition.form, merged, { partial: true, fees: proc.definition.fees, now: ctx.now, settled });
      const errors = [
        ...check.errors,
        ...(await checkUnitCodes(
          tx,
          check.unitCodes.map((u) => ({ path: `form.${u.key}`, code: u.code })),
          vnDate(ctx.now),
        )),
      ];
      if (errors.length) throw new AppError('invalid', 'DOSSIER_FORM_INVALID', { userMessage: 'Một số thông tin chưa hợp lệ.', errors });
      set.form = sealForm(ctx.keyring, d.id, proc.definition.form, check.values);
      // Whether an answer really changed (a supplement needs a change: saving the same answers is none).
      const stable = (v: Record<string, unknown>) =>
        JSON.stringify(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        );
      formChanged = stable(before) !== stable(check.values);
    }
    if (patch.applicant) {
      if (d.status !== 'draft')
        throw new AppError('conflict', 'DOSSIER_NOT_EDITABLE', { userMessage: 'Chỉ sửa thông tin người nộp khi hồ sơ còn là bản nháp.' });
      const a = normaliseApplicant(patch.applicant);
      if (a.address) {
        const errors = await checkUnitCodes(tx, [{ path: 'applicant.address.unitCode', code: a.address.unitCode }], vnDate(ctx.now));
        if (errors.length) throw new AppError('invalid', 'DOSSIER_FORM_INVALID', { userMessage: 'Một số thông tin chưa hợp lệ.', errors });
      }
      // A walk-in draft belongs to whoever holds the (corrected) ID number; a citizen's own draft stays theirs.
      if (d.createdBy !== d.applicantUserId) set.applicantUserId = await findApplicantAccount(tx, ctx.keyring, a);
      const sealed = sealApplicant(ctx.keyring, d.id, a);
      set.applicant = sealed.stored;
      set.applicantIdNumberEnc = sealed.idNumberEnc;
      set.applicantIdNumberHash = sealed.idNumberHash;
      set.applicantPhoneEnc = sealed.phoneEnc;
      // Consent to SMS recorded at the desk needs a mobile to send to: a landline or no phone ends it.
      if (d.applicantSmsConsentAt && !(a.phone && isMobilePhone(a.phone))) set.applicantSmsConsentAt = null;
      set.applicantType = a.type;
      set.unitCode = a.address?.unitCode ?? null;
      // A commune-tier dossier goes to the committee of the (corrected) address's commune.
      set.competentAgencyId = await competentAgencyFor(tx, proc, d.receivingAgencyId, a.address?.unitCode ?? null);
      set.searchText = searchTextOf(d.code, a);
    }
    if (patch.channel && patch.channel !== d.channel) {
      throw new AppError('invalid', 'DOSSIER_CHANNEL_NOT_ALLOWED', {
        userMessage: 'Không đổi được kênh nộp hồ sơ.',
        cause: { reason: 'channel_fixed' } satisfies ErrorReasons,
      });
    }
    await tx.update(dossiers).set(set).where(eq(dossiers.id, d.id));
    await recordContentChange(tx, d, parties, actor, ctx.now, 'update', { form: formChanged });
    await writeAudit({ ...ctx, db: tx }, { action: 'dossier.update', targetType: 'dossier', targetId: d.id });
    return d.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * Attaches a file to a component of a draft (or of a dossier returned for supplement). The
 * file is on disk, flushed, before its row is committed. Errors: DOSSIER_COMPONENT_UNKNOWN,
 * FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED, DOSSIER_NOT_EDITABLE.
 */
export async function attachFile(ctx: Ctx, files: LocalFileStore, idOrCode: string, input: { component: string; fileName: string; data: Buffer }) {
  const actor = requireActor(ctx.actor);
  // Check access and state before spending disk on the upload.
  let { d, proc, parties } = await loadVisible(ctx.db, actor, idOrCode);
  assertCanEditContent(parties, d, actor);
  assertComponent(proc, input.component);
  const maxBytes = await getSetting(ctx.db, 'upload_max_bytes');
  const stored = await files.put(input.data, maxBytes);
  const fileName = sanitiseFileName(input.fileName);
  const tried: string[] = [];
  const answer = (fileId: string) => ({ fileId, sha256: stored.sha256, size: stored.size, mediaType: stored.mediaType });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const fileId = newId(ctx.now.getTime());
      tried.push(fileId);
      // Written with the next group of attachments, only if the dossier is still in the status checked above.
      const written = await attachInGroup(ctx.db, {
        fileId,
        dossierId: d.id,
        expectedStatus: d.status,
        component: input.component,
        fileName,
        mediaType: stored.mediaType,
        size: stored.size,
        sha256: stored.sha256,
        storageKey: stored.storageKey,
        actorId: actor.userId,
        actorRole: actor.roles[0]?.role ?? null,
        at: ctx.now,
        ip: ctx.ip ?? null,
      });
      if (written) return answer(fileId);
      // The dossier's status changed meanwhile (it was submitted): check again, which now refuses.
      ({ d, proc, parties } = await loadVisible(ctx.db, actor, idOrCode));
      assertCanEditContent(parties, d, actor);
    }
    throw new AppError('conflict', 'DOSSIER_CONCURRENT_CHANGE', { userMessage: 'Hồ sơ đang được thay đổi đồng thời. Hãy thử lại.' });
  } catch (err) {
    // No row refers to the stored file unless one of the attempts committed (its answer lost): then it stays and is the answer.
    // No `failure` is passed: a group that failed as a whole is retried item by item, so the last
    // error (a duplicate key, say) says nothing of an earlier attempt that may have committed.
    let committed: string | undefined;
    const outcome = await removeUnlessCommitted(files, [stored.storageKey], {
      isCommitted: async () => {
        const ids = sql.join(
          tried.map((id) => sql`${id}`),
          sql`, `,
        );
        const rows = await queryRows<{ id: string }>(ctx.db, sql`SELECT id FROM dossier_files WHERE id IN (${ids})`);
        committed = rows[0]?.id;
        return committed !== undefined;
      },
      log: ctx.log,
    });
    if (outcome === 'committed' && committed) return answer(committed);
    throw err;
  }
}

/**
 * Attaches a document from one of the applicant's earlier dossiers instead of uploading it
 * again (recorded as reuse, for the index). Errors: FILE_NOT_FOUND, DOSSIER_COMPONENT_UNKNOWN.
 */
export async function reuseFile(ctx: Ctx, idOrCode: string, input: { component: string; fileId: string }) {
  const actor = requireActor(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const { d, proc, parties } = await loadVisible(tx, actor, idOrCode, true);
    assertCanEditContent(parties, d, actor);
    assertComponent(proc, input.component);
    const [src] = await tx
      .select({ f: dossierFiles, source: dossiers })
      .from(dossierFiles)
      .innerJoin(dossiers, eq(dossiers.id, dossierFiles.dossierId))
      .where(and(eq(dossierFiles.id, input.fileId), isNull(dossierFiles.removedAt)));
    // Only a document of the same applicant, from a dossier the caller may see: quoting someone's
    // ID number on a draft must not open their documents.
    const ok =
      src &&
      src.f.dossierId !== d.id &&
      partiesOf(actor, src.source).length > 0 &&
      (src.f.componentCode !== RESULT_COMPONENT || resultsVisible(partiesOf(actor, src.source), src.source.status)) &&
      src.source.applicantIdNumberHash !== null &&
      src.source.applicantIdNumberHash === d.applicantIdNumberHash;
    if (!ok) throw notFound('FILE_NOT_FOUND', 'tệp');
    const fileId = newId(ctx.now.getTime());
    await tx
      .insert(dossierFiles)
      .values({ ...src.f, id: fileId, dossierId: d.id, componentCode: input.component, reusedFromId: src.f.id, uploadedBy: actor.userId, createdAt: ctx.now });
    await tx
      .update(dossiers)
      .set({ version: d.version + 1, updatedAt: ctx.now })
      .where(eq(dossiers.id, d.id));
    await recordContentChange(tx, d, parties, actor, ctx.now, 'reuse_file', { fileId, component: input.component, from: src.f.id });
    await writeAudit({ ...ctx, db: tx }, { action: 'dossier.file.reuse', targetType: 'dossier', targetId: d.id, details: { fileId, from: src.f.id } });
    return { fileId, sha256: src.f.sha256, size: src.f.size, mediaType: src.f.mediaType };
  });
}

/** Removes a file from a draft (the stored bytes stay: other dossiers may reuse them). */
export async function removeFile(ctx: Ctx, idOrCode: string, fileId: string) {
  const actor = requireActor(ctx.actor);
  await ctx.db.transaction(async (tx) => {
    const { d, parties } = await loadVisible(tx, actor, idOrCode, true);
    assertCanEditContent(parties, d, actor);
    const rows = await tx
      .update(dossierFiles)
      .set({ removedAt: ctx.now })
      .where(and(eq(dossierFiles.id, fileId), eq(dossierFiles.dossierId, d.id), isNull(dossierFiles.removedAt)))
      .returning({ id: dossierFiles.id, component: dossierFiles.componentCode });
    if (!rows.length) throw notFound('FILE_NOT_FOUND', 'tệp');
    await tx
      .update(dossiers)
      .set({ version: d.version + 1, updatedAt: ctx.now })
      .where(eq(dossiers.id, d.id));
    await recordContentChange(tx, d, parties, actor, ctx.now, 'remove_file', { fileId, component: rows[0]!.component });
    await writeAudit({ ...ctx, db: tx }, { action: 'dossier.file.remove', targetType: 'dossier', targetId: d.id, details: { fileId } });
  });
}

/** A file of a dossier the actor may see. */
export async function getFile(ctx: Ctx, idOrCode: string, fileId: string) {
  const actor = requireActor(ctx.actor);
  const { d, parties } = await loadVisible(ctx.db, actor, idOrCode);
  const [f] = await ctx.db
    .select()
    .from(dossierFiles)
    .where(and(eq(dossierFiles.id, fileId), eq(dossierFiles.dossierId, d.id), isNull(dossierFiles.removedAt)));
  if (!f || (f.componentCode === RESULT_COMPONENT && !resultsVisible(parties, d.status))) throw notFound('FILE_NOT_FOUND', 'tệp');
  if (actor.userId !== d.applicantUserId) {
    await writeAudit(ctx, { action: 'dossier.file.read', targetType: 'dossier', targetId: d.id, details: { fileId } });
  }
  return f;
}

function assertComponent(proc: ProcedureRecord, component: string) {
  if (!proc.definition.components.some((c) => c.code === component)) {
    throw new AppError('invalid', 'DOSSIER_COMPONENT_UNKNOWN', {
      userMessage: 'Thành phần hồ sơ không có trong thủ tục.',
      errors: [{ path: 'component', message: `Không có thành phần ${component}` }],
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Submission

/** Formats a dossier code from the configured pattern (DOMAIN section 5). */
export function dossierCodeParts(pattern: string, agencyIdentity: string, day: string): { before: string; after: string } {
  const filled = pattern.replaceAll('{agency}', agencyIdentity).replaceAll('{yymmdd}', day.slice(2, 4) + day.slice(5, 7) + day.slice(8, 10));
  const [before = '', after = ''] = filled.split('{seq4}');
  return { before, after };
}

export function formatDossierCode(pattern: string, agencyIdentity: string, day: string, seq: number): string {
  const { before, after } = dossierCodeParts(pattern, agencyIdentity, day);
  return `${before}${String(seq).padStart(4, '0')}${after}`;
}

/** Everything missing before a dossier can be submitted: required answers and components. */
export async function completenessErrors(
  db: Db,
  keyring: Keyring,
  d: DossierRow,
  proc: ProcedureRecord,
  now: Date,
  attached: readonly string[],
): Promise<FieldError[]> {
  const check = validateForm(proc.definition.form, openForm(keyring, d.id, d.form), { partial: false, fees: proc.definition.fees, now });
  const errors = [
    ...check.errors,
    ...(await checkUnitCodes(
      db,
      check.unitCodes.map((u) => ({ path: `form.${u.key}`, code: u.code })),
      vnDate(now),
    )),
  ];
  return [...errors, ...missingComponents(proc, attached)];
}

/** The required components with no file among `attached` (component codes). */
function missingComponents(proc: ProcedureRecord, attached: readonly string[]): FieldError[] {
  const present = new Set(attached);
  return proc.definition.components
    .filter((c) => c.required && !present.has(c.code))
    .map((c) => ({ path: `components.${c.code}`, message: `Chưa đính kèm: ${c.name}`, reason: 'component_missing', params: { name: c.name } }));
}

/**
 * Submits a draft: checks it is complete, issues the dossier code (gap-free per agency and day,
 * see submit-batcher.ts) and moves it to `submitted`. With an Idempotency-Key a retry answers
 * with the same dossier. Errors: DOSSIER_INCOMPLETE, DOSSIER_TRANSITION_NOT_ALLOWED,
 * DOSSIER_VERSION_STALE, DOSSIER_CONCURRENT_CHANGE.
 */
export async function submitDossier(ctx: Ctx, idOrCode: string, opts: { idempotencyKey?: string | undefined; ifMatch?: IfMatch | undefined } = {}) {
  const actor = requireActor(ctx.actor);
  const hash = requestHash(idOrCode);
  const replayed = async () => {
    if (!opts.idempotencyKey) return null;
    const prior = await findIdempotent(ctx.db, actor.userId, 'dossier.submit', opts.idempotencyKey);
    return prior ? replay(prior, hash).id : null;
  };
  const prior = await replayed();
  if (prior) return prior;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Validate without locks; the write below re-checks that nothing changed in between.
    // One read: the dossier with its live files.
    const found = await findDossierWithDetails(ctx.db, idOrCode);
    const parties = found ? partiesOf(actor, found.d) : [];
    if (!found || parties.length === 0) throw dossierNotFound();
    const d = found.d;
    const proc = await findProcedureByVersionId(ctx.db, d.procedureVersionId);
    if (!proc) throw new AppError('internal', 'PROCEDURE_VERSION_MISSING');
    checkVersion(d, opts.ifMatch);
    const decision = decideForParties('submit', parties, factsOf(d, proc, actor));
    if (!decision.ok) throw transitionError('submit', decision, d, parties, proc, actor);
    const current = await findProcedure(ctx.db, d.procedureCode);
    // Only forward: another instance's cache may still name an older version for a few seconds.
    if (current && current.version > d.procedureVersion) {
      await moveDraftToVersion(
        ctx,
        d,
        proc,
        current,
        found.files.map((f) => f.component),
      );
    }
    const errors = await completenessErrors(
      ctx.db,
      ctx.keyring,
      d,
      proc,
      ctx.now,
      found.files.map((f) => f.component),
    );
    if (errors.length) throw new AppError('invalid', 'DOSSIER_INCOMPLETE', { userMessage: 'Hồ sơ chưa đầy đủ.', errors });
    const day = vnDate(ctx.now);
    const { before, after } = dossierCodeParts(await getSetting(ctx.db, 'dossier_code_pattern'), await agencyIdentityCode(ctx.db, d.receivingAgencyId), day);
    const code = await submitInGroup(ctx.db, {
      dossierId: d.id,
      expectedVersion: d.version,
      agencyId: d.receivingAgencyId,
      day,
      codeBefore: before,
      codeAfter: after,
      searchRest: searchTextOf(null, d.applicant as Applicant),
      actorId: actor.userId,
      actorRole: decision.party ?? 'applicant',
      ip: ctx.ip ?? null,
      at: ctx.now,
      idempotency: opts.idempotencyKey ? { userId: actor.userId, key: opts.idempotencyKey, requestHash: hash } : null,
    });
    if (code) return d.id;
    // The draft changed between validation and write (a file added, a double click): look again.
    const again = await replayed();
    if (again) return again;
  }
  throw new AppError('conflict', 'DOSSIER_CONCURRENT_CHANGE', { userMessage: 'Hồ sơ đang được thay đổi đồng thời. Hãy thử lại.' });
}

/**
 * A draft whose procedure got a new version after the draft was created is filed under the new
 * one (a dossier keeps the version it was received under, and the system receives it at
 * submission): the draft moves to the current version — answers the new form still has and
 * still accepts, the competent agency for it — and the submission stops with 409
 * DOSSIER_PROCEDURE_UPDATED listing what the new version still needs, so the applicant checks
 * it and submits again. If its receiving centre no longer receives the procedure, it stays as
 * it is and the applicant is told to file a new dossier. Always throws.
 */
async function moveDraftToVersion(ctx: Ctx, d: DossierRow, from: ProcedureRecord, to: ProcedureRecord, attached: string[]): Promise<never> {
  const receivers = to.receivingAgencies;
  if (!receivers.some((a) => a.id === d.receivingAgencyId)) {
    throw new AppError('conflict', 'DOSSIER_PROCEDURE_UPDATED', {
      userMessage: `Thủ tục đã được cập nhật (phiên bản ${to.version}) và nơi bạn chọn không còn tiếp nhận thủ tục này. Hãy tạo hồ sơ mới và chọn một nơi tiếp nhận khác.`,
      details: { procedureVersion: to.version, draftVersion: from.version, receivingAgencies: receivers.map((a) => a.code) },
    });
  }
  if (filingRefusal(to.definition, d.channel, d.applicantType)) {
    throw new AppError('conflict', 'DOSSIER_PROCEDURE_UPDATED', {
      userMessage: `Thủ tục đã được cập nhật (phiên bản ${to.version}) và không còn nhận hồ sơ theo kênh hoặc của đối tượng này. Hãy xem lại thủ tục và tạo hồ sơ mới nếu còn phù hợp.`,
      details: { procedureVersion: to.version, draftVersion: from.version, channels: to.definition.channels, applicantTypes: to.definition.applicantTypes },
    });
  }
  const keys = new Set(to.definition.form.map((f) => f.key));
  const answers = Object.fromEntries(Object.entries(openForm(ctx.keyring, d.id, d.form)).filter(([k]) => keys.has(k)));
  // Answers the new form no longer accepts (a changed type, list of options or pattern) are
  // dropped, so the applicant gives them again.
  const check = validateForm(to.definition.form, answers, { partial: true, fees: to.definition.fees, now: ctx.now });
  const refused = new Set(check.errors.map((e) => e.path.replace(/^form\./, '')));
  const kept = Object.fromEntries(Object.entries(check.values).filter(([k]) => !refused.has(k)));
  const moved = await ctx.db.transaction(async (tx) => {
    const set = {
      procedureVersionId: to.versionId,
      procedureVersion: to.version,
      form: sealForm(ctx.keyring, d.id, to.definition.form, kept),
      competentAgencyId: await competentAgencyFor(tx, to, d.receivingAgencyId, d.unitCode),
      version: d.version + 1,
      updatedAt: ctx.now,
    };
    const rows = await tx
      .update(dossiers)
      .set(set)
      .where(and(eq(dossiers.id, d.id), eq(dossiers.version, d.version), eq(dossiers.status, 'draft')))
      .returning({ id: dossiers.id });
    if (!rows.length) return null;
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'dossier.procedure_version.update', targetType: 'dossier', targetId: d.id, details: { from: from.version, to: to.version } },
    );
    return { ...d, ...set };
  });
  if (!moved) throw new AppError('conflict', 'DOSSIER_CONCURRENT_CHANGE', { userMessage: 'Hồ sơ đang được thay đổi đồng thời. Hãy thử lại.' });
  const errors = await completenessErrors(ctx.db, ctx.keyring, moved, to, ctx.now, attached);
  throw new AppError('conflict', 'DOSSIER_PROCEDURE_UPDATED', {
    userMessage: `Thủ tục đã được cập nhật (phiên bản ${to.version}). Hồ sơ nháp đã được chuyển sang phiên bản mới: hãy kiểm tra lại${errors.length ? ', bổ sung những thông tin và giấy tờ còn thiếu' : ''} rồi nộp lại.`,
    errors,
    details: { procedureVersion: to.version, draftVersion: from.version, moved: true },
  });
}

/** One file of a whole submission: the component it is for, its name and content. */
export interface Upload {
  component: string;
  fileName: string;
  data: Buffer;
}

/** The facts of a dossier not yet written: a fresh draft, for the workflow guard. */
const NEW_DRAFT: DossierFacts = { status: 'draft', isReceived: false, stepRole: null, isLastStep: false, isAssignee: false, hasAssignee: false };

/**
 * A whole submission in one request: creates the dossier, attaches its files and submits it,
 * all or nothing, in one group write (draft-writes.ts): the same rows, history and audit as the
 * three separate requests, one round trip for a client on a slow network, one commit for the
 * server. Every check runs before anything is stored. With an Idempotency-Key a retry answers
 * with the same dossier. Errors: those of create, DOSSIER_COMPONENT_UNKNOWN, the file errors,
 * and DOSSIER_INCOMPLETE listing every missing answer and component.
 */
export async function submitNewDossier(
  ctx: Ctx,
  files: LocalFileStore,
  body: CreateDossierBody,
  uploads: Upload[],
  idempotencyKey?: string,
): Promise<{ id: string; replayed: boolean }> {
  const who = filer(ctx);
  // The request is its JSON and each file's component and SHA-256 (the store computes those once).
  const hashOf = (sha256s: string[]) => requestHash({ body, files: uploads.map((u, i) => [u.component, sha256s[i]]) });
  if (idempotencyKey) {
    const prior = await findIdempotent(ctx.db, who.actor.userId, 'dossier.submit_new', idempotencyKey);
    if (prior) return replay(prior, hashOf(uploads.map((u) => createHash('sha256').update(u.data).digest('hex'))));
  }
  const { item, proc, missing } = await prepareNewDossier(ctx, who, body);
  for (const u of uploads) assertComponent(proc, u.component);
  const errors = [
    ...missing,
    ...missingComponents(
      proc,
      uploads.map((u) => u.component),
    ),
  ];
  if (errors.length) throw new AppError('invalid', 'DOSSIER_INCOMPLETE', { userMessage: 'Hồ sơ chưa đầy đủ.', errors });
  const party = item.actorRole as DossierParty;
  const decision = decideForParties('submit', [party], NEW_DRAFT);
  if (!decision.ok) throw new AppError('forbidden', 'DOSSIER_TRANSITION_NOT_ALLOWED', { userMessage: 'Bạn không được nộp hồ sơ này.' });
  const maxBytes = await getSetting(ctx.db, 'upload_max_bytes');
  for (const u of uploads) checkUpload(u.data, maxBytes);
  const day = vnDate(ctx.now);
  const { before, after } = dossierCodeParts(await getSetting(ctx.db, 'dossier_code_pattern'), await agencyIdentityCode(ctx.db, item.receivingAgencyId), day);
  const stored = [];
  for (const u of uploads) {
    const s = await files.put(u.data, maxBytes);
    stored.push({ fileId: newId(ctx.now.getTime()), component: u.component, fileName: sanitiseFileName(u.fileName), ...s });
  }
  const hash = hashOf(stored.map((f) => f.sha256));
  // The stored files go again only when this dossier's rows (written in one statement) certainly did
  // not commit. No `failure` is passed: a group that failed as a whole is retried item by item, so
  // the error or the null of the last attempt says nothing of an earlier one that may have committed.
  const storedKeys = stored.map((f) => f.storageKey);
  const discard = () =>
    removeUnlessCommitted(files, storedKeys, {
      isCommitted: () => dossierExists(ctx.db, item.id),
      log: ctx.log,
    });
  let code: string | null;
  try {
    code = await submitNewInGroup(ctx.db, {
      ...item,
      idempotency: idempotencyKey ? { key: idempotencyKey, requestHash: hash } : null,
      day,
      codeBefore: before,
      codeAfter: after,
      files: stored,
    });
  } catch (err) {
    if ((await discard()) === 'committed') return { id: item.id, replayed: false };
    throw err;
  }
  if (code) return { id: item.id, replayed: false };
  // Not written: the key was taken by a simultaneous request (answer as that one did), or by an
  // earlier attempt of this one whose commit went through (then the dossier is there, with its files).
  if ((await discard()) === 'committed') return { id: item.id, replayed: false };
  const prior = await findIdempotent(ctx.db, who.actor.userId, 'dossier.submit_new', idempotencyKey!);
  if (!prior) throw new AppError('internal', 'IDEMPOTENCY_RECORD_MISSING');
  return replay(prior, hash);
}

const identityCodes = new TtlCache<string, string>(60_000);
async function agencyIdentityCode(db: Db, agencyId: string): Promise<string> {
  const hit = identityCodes.get(agencyId);
  if (hit) return hit;
  const [a] = await db.select({ identityCode: agencies.identityCode }).from(agencies).where(eq(agencies.id, agencyId));
  if (!a) throw new AppError('internal', 'AGENCY_MISSING');
  identityCodes.set(agencyId, a.identityCode);
  return a.identityCode;
}

async function recordTransition(
  ctx: Ctx,
  tx: Db,
  d: DossierRow,
  action: DossierAction,
  party: DossierParty,
  to: DossierStatus,
  note: string | null,
  data: Record<string, unknown> = {},
) {
  await appendHistory(tx, {
    dossierId: d.id,
    at: ctx.now,
    action,
    actorId: ctx.actor?.userId ?? null,
    actorRole: party,
    fromStatus: d.status,
    toStatus: to,
    note,
    data,
  });
  await writeAudit({ ...ctx, db: tx }, { action: `dossier.${action}`, targetType: 'dossier', targetId: d.id, details: { from: d.status, to, ...data } });
  await enqueueJob(tx, ctx.now, 'dossier.status_changed', { dossierId: d.id, action, from: d.status, to });
}

function transitionError(
  action: DossierAction,
  decision: { ok: false; kind: 'forbidden' | 'conflict'; reason: string },
  d: DossierRow,
  parties: DossierParty[],
  proc: ProcedureRecord,
  actor: Actor,
  extension?: ExtensionFacts,
) {
  if (decision.kind === 'forbidden') {
    return new AppError('forbidden', 'DOSSIER_ACTION_FORBIDDEN', {
      message: decision.reason,
      userMessage: 'Bạn không có quyền thực hiện thao tác này với hồ sơ.',
      details: { action },
    });
  }
  return new AppError('conflict', 'DOSSIER_TRANSITION_NOT_ALLOWED', {
    message: decision.reason,
    userMessage:
      decision.reason === NO_FEES_REASON
        ? 'Hồ sơ này không có phí, lệ phí phải nộp (thủ tục không thu phí, lệ phí): không gửi yêu cầu nộp phí được.'
        : 'Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.',
    details: { action, dossierStatus: d.status, reason: decision.reason, allowedActions: allowedActionsFor(parties, factsOf(d, proc, actor, extension)) },
    ...(decision.reason === NO_FEES_REASON ? { cause: { reason: 'no_fees' } satisfies ErrorReasons } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Actions

/** A reason or note as stored (cleanText, line breaks kept); null when nothing visible is left. */
function noteText(v: string | undefined): string | null {
  return v === undefined ? null : cleanText(v, { multiline: true }) || null;
}

/** What a text box holds, for pages to name it in their language (web `svc.DOSSIER_ACTION_INPUT_MISSING.<what>`). */
type RequiredText = 'refuse_reason' | 'supplement_request' | 'extend_reason' | 'stop_reason' | 'withdraw_request';

function requireText(v: string | undefined, field: 'reason' | 'note', label: string, what: RequiredText): string {
  const text = noteText(v);
  if (text === null)
    throw new AppError('invalid', 'DOSSIER_ACTION_INPUT_MISSING', {
      userMessage: `Cần nhập ${label}.`,
      errors: [{ path: field, message: `Cần nhập ${label}` }],
      cause: { reason: what, reasons: [[{ reason: `field_${what}` }]] } satisfies ErrorReasons,
    });
  return text;
}

/**
 * Performs a workflow action on a dossier (docs/WORKFLOW.md). The guard decides; 403 when the
 * actor's role may never take it, 409 when the state forbids it, 412 on a stale If-Match.
 * Errors: DOSSIER_NOT_FOUND, DOSSIER_ACTION_FORBIDDEN, DOSSIER_TRANSITION_NOT_ALLOWED,
 * DOSSIER_VERSION_STALE, DOSSIER_ACTION_INPUT_MISSING, DOSSIER_ASSIGNEE_INVALID, DOSSIER_NEW_DUE_INVALID.
 */
export async function performAction(ctx: Ctx, idOrCode: string, body: ActionBody, ifMatch?: IfMatch): Promise<string> {
  const actor = requireActor(ctx.actor);
  if (body.action === 'submit') return submitDossier(ctx, idOrCode, { ifMatch });
  const clock = await loadClock(ctx.db);
  return ctx.db.transaction(async (tx) => {
    const { d, proc, parties } = await loadVisible(tx, actor, idOrCode, true);
    checkVersion(d, ifMatch);
    const extension = await extensionFactsOf(tx, d, ctx.now);
    const facts = factsOf(d, proc, actor, extension);
    // An amount the officer states is something to pay even on a procedure without a fee schedule.
    if (body.action === 'request_payment' && body.amount !== undefined && body.amount > 0) facts.hasFees = true;
    const decision = decideForParties(body.action, parties, facts);
    if (!decision.ok) throw transitionError(body.action, decision, d, parties, proc, actor, extension);
    const party = decision.party!;
    const to = decision.to;
    const now = ctx.now;
    const def = proc.definition;
    const set: Partial<typeof dossiers.$inferInsert> = { status: to, version: d.version + 1, updatedAt: now };
    let note: string | null = noteText(body.note);
    const data: Record<string, unknown> = {};
    const pauses = (d.pauses as { from: string; to: string }[]).map((p) => ({ from: new Date(p.from), to: new Date(p.to) }));

    switch (body.action) {
      case 'receive': {
        if (!d.receivedAt) {
          const dueAt = computeDueAt({ start: now, ...legalDuration(def.duration), calendar: clock.calendar, officeHours: clock.officeHours });
          Object.assign(set, { receivedAt: now, dueAt, originalDueAt: dueAt });
          data.dueAt = dueAt.toISOString();
        } else if (d.pausedAt) {
          // The clock resumes: the due date moves by the time the dossier waited for the applicant.
          const pause = { from: d.pausedAt, to: now };
          let dueAt: Date;
          if (d.extensionCount === 0) {
            dueAt = computeDueAt({
              start: d.receivedAt,
              ...legalDuration(def.duration),
              calendar: clock.calendar,
              officeHours: clock.officeHours,
              pauses: [...pauses, pause],
            });
          } else if (def.duration.unit === 'working_days' || def.duration.unit === 'hours') {
            const minutes = Math.max(
              0,
              workingMinutesBetween(pause.from, d.dueAt && d.dueAt < pause.to ? d.dueAt : pause.to, clock.calendar, clock.officeHours),
            );
            dueAt = computeDueAt({ start: d.dueAt!, value: minutes / 60, unit: 'hours', calendar: clock.calendar, officeHours: clock.officeHours });
          } else {
            // Calendar days or months: moved by the paused time, then to the close of office of that day.
            dueAt = moveCalendarDueAt(d.dueAt!, Math.min(pause.to.getTime(), d.dueAt!.getTime()) - pause.from.getTime(), clock.calendar, clock.officeHours);
          }
          Object.assign(set, { pausedAt: null, pauses: [...(d.pauses as unknown[]), { from: pause.from.toISOString(), to: pause.to.toISOString() }], dueAt });
          data.dueAt = dueAt.toISOString();
        }
        break;
      }
      case 'refuse':
        note = requireText(body.reason, 'reason', 'lý do từ chối', 'refuse_reason');
        set.finishedAt = now;
        break;
      case 'assign': {
        if (!body.assigneeId || !(await isSpecialistFor(tx, body.assigneeId, [d.receivingAgencyId, d.competentAgencyId]))) {
          throw new AppError('invalid', 'DOSSIER_ASSIGNEE_INVALID', {
            userMessage: 'Cần chọn một chuyên viên của cơ quan xử lý hồ sơ.',
            errors: [{ path: 'assigneeId', message: 'Không phải chuyên viên của cơ quan xử lý' }],
            cause: { reasons: [[{ reason: 'field_not_specialist' }]] } satisfies ErrorReasons,
          });
        }
        set.assigneeId = body.assigneeId;
        if (d.stepIndex === null) set.stepIndex = 0;
        data.assigneeId = body.assigneeId;
        break;
      }
      case 'forward': {
        const next = (d.stepIndex ?? 0) + 1;
        set.stepIndex = next;
        data.step = def.workflow[next]?.key;
        break;
      }
      case 'request_supplement':
        note = requireText(body.reason ?? body.note, 'reason', 'nội dung cần bổ sung', 'supplement_request');
        // Only requests made while the legal clock runs count (more than one makes a dossier late
        // in the national index); the desk's check before reception does not.
        if (d.receivedAt) {
          set.supplementCount = d.supplementCount + 1;
          set.pausedAt = now;
        }
        break;
      case 'supplement': {
        // It goes back to the desk complete, or not at all: the same check as at submission.
        const live = await tx
          .select({ component: dossierFiles.componentCode })
          .from(dossierFiles)
          .where(and(eq(dossierFiles.dossierId, d.id), isNull(dossierFiles.removedAt)));
        const components = live.map((f) => f.component);
        const atNow = await completenessErrors(tx, ctx.keyring, d, proc, now, components);
        // An administrative unit in force when the dossier was submitted still counts (a commune merged since).
        const atSubmission =
          atNow.length && d.submittedAt ? new Set((await completenessErrors(tx, ctx.keyring, d, proc, d.submittedAt, components)).map((e) => e.path)) : null;
        const errors = atSubmission ? atNow.filter((e) => atSubmission.has(e.path)) : atNow;
        if (errors.length)
          throw new AppError('invalid', 'DOSSIER_INCOMPLETE', {
            userMessage: 'Hồ sơ chưa đầy đủ: hãy bổ sung đủ giấy tờ và thông tin còn thiếu trước khi gửi lại.',
            errors,
            cause: { reason: 'supplement' } satisfies ErrorReasons,
          });
        // Something must have been supplemented since the request: a file attached, reused or removed, or the form changed.
        const [change] = await queryRows<{ changed: boolean }>(
          tx,
          sql`SELECT EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = ${d.id}
                AND h.id > COALESCE((SELECT max(r.id) FROM dossier_history r WHERE r.dossier_id = ${d.id} AND r.action = 'request_supplement'), 0)
                AND (h.action IN ('attach_file', 'reuse_file', 'remove_file') OR (h.action = 'update' AND h.data->>'form' = 'true'))) AS changed`,
        );
        // The desk records papers brought to the counter, which it may not be able to attach (an
        // online dossier of an account holder): its note saying what it received is the change.
        if (!change?.changed && !(party === 'reception' && note)) {
          throw new AppError('invalid', 'DOSSIER_SUPPLEMENT_EMPTY', {
            userMessage:
              party === 'reception'
                ? 'Chưa có gì được bổ sung: hãy ghi rõ giấy tờ đã nhận tại quầy (ghi chú), hoặc đính kèm, thay, gỡ giấy tờ hay sửa tờ khai rồi gửi lại.'
                : 'Chưa có gì được bổ sung: hãy đính kèm, thay hoặc gỡ giấy tờ, hoặc sửa tờ khai theo yêu cầu bổ sung rồi gửi lại.',
            errors: [
              party === 'reception'
                ? { path: 'note', message: 'Ghi rõ giấy tờ đã nhận tại quầy' }
                : { path: 'files', message: 'Chưa bổ sung giấy tờ hoặc thông tin nào kể từ khi có yêu cầu bổ sung' },
            ],
            cause: (party === 'reception'
              ? { reason: 'desk', reasons: [[{ reason: 'field_desk' }]] }
              : { reason: 'applicant', reasons: [[{ reason: 'field_applicant' }]] }) satisfies ErrorReasons,
          });
        }
        break;
      }
      case 'request_payment': {
        note = noteText(body.note);
        // The payment request (amount from the fee schedule, VietQR reference) in this transaction.
        const payment = await createPaymentRequest(
          { ...ctx, db: tx },
          { dossierId: d.id, fees: def.fees, form: d.form as Record<string, unknown>, fields: def.form, amount: body.amount },
        );
        // Fees computed to nothing from the form's answers (and no amount stated): nothing to pay, so no request.
        if (!payment) throw transitionError('request_payment', { ok: false, kind: 'conflict', reason: NO_FEES_REASON }, d, parties, proc, actor, extension);
        data.payment = payment;
        break;
      }
      case 'confirm_payment':
        Object.assign(data, await settlePaymentsOnConfirm({ ...ctx, db: tx }, d.id));
        break;
      case 'approve':
        set.finishedAt = now;
        break;
      case 'return_result':
        set.returnedAt = now;
        break;
      case 'extend': {
        note = requireText(body.reason, 'reason', 'lý do gia hạn (thư xin lỗi)', 'extend_reason');
        const newDue = body.newDueAt ? new Date(body.newDueAt) : null;
        if (!newDue || !d.dueAt || newDue.getTime() <= Math.max(d.dueAt.getTime(), now.getTime())) {
          throw new AppError('invalid', 'DOSSIER_NEW_DUE_INVALID', {
            userMessage: 'Ngày hẹn trả mới phải sau ngày hẹn hiện tại và sau thời điểm hiện tại.',
            errors: [{ path: 'newDueAt', message: 'Ngày hẹn mới không hợp lệ' }],
            cause: { reason: 'not_later', reasons: [[{ reason: 'field_not_later' }]] } satisfies ErrorReasons,
          });
        }
        // The policy may cap how far one extension goes: counted in working days from the later of the due date and now.
        const { maxWorkingDaysEach } = await getSetting(tx, 'dossier_extension');
        if (maxWorkingDaysEach !== null) {
          const from = d.dueAt.getTime() > now.getTime() ? d.dueAt : now;
          const cap = computeDueAt({ start: from, value: maxWorkingDaysEach, unit: 'working_days', calendar: clock.calendar, officeHours: clock.officeHours });
          if (newDue.getTime() > cap.getTime()) {
            throw new AppError('invalid', 'DOSSIER_NEW_DUE_INVALID', {
              userMessage: `Mỗi lần gia hạn được thêm tối đa ${maxWorkingDaysEach} ngày làm việc: ngày hẹn mới không được sau ${formatVnDateTime(cap)}.`,
              errors: [{ path: 'newDueAt', message: `Muộn nhất ${formatVnDateTime(cap)}` }],
              details: { latestNewDueAt: toIso(cap) },
              cause: {
                reason: 'beyond_cap',
                params: { max: maxWorkingDaysEach, latest: formatVnDateTime(cap) },
                reasons: [[{ reason: 'field_beyond_cap', params: { latest: formatVnDateTime(cap) } }]],
              } satisfies ErrorReasons,
            });
          }
        }
        // A result is returned at the desk: the new due date is working time (a working day, within office hours).
        assertNewDueInWorkingTime(newDue, clock);
        Object.assign(set, { dueAt: newDue, extensionCount: d.extensionCount + 1 });
        data.previousDueAt = d.dueAt?.toISOString();
        data.newDueAt = newDue.toISOString();
        break;
      }
      case 'stop':
        note = requireText(body.reason, 'reason', 'lý do dừng xử lý', 'stop_reason');
        set.finishedAt = now;
        break;
      case 'withdraw':
        // The desk records a withdrawal only on the applicant's written request: say which.
        note =
          party === 'reception'
            ? requireText(body.reason, 'reason', 'nội dung đơn xin rút hồ sơ của công dân', 'withdraw_request')
            : (noteText(body.reason) ?? note);
        set.finishedAt = now;
        break;
      case 'submit':
        throw new AppError('internal', 'UNREACHABLE');
    }
    await tx.update(dossiers).set(set).where(eq(dossiers.id, d.id));
    await recordTransition(ctx, tx, d, body.action, party, to, note, data);
    return d.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Rating

/** The applicant rates a returned dossier, once. Errors: DOSSIER_NOT_RETURNED, DOSSIER_ALREADY_RATED. */
export async function rateDossier(
  ctx: Ctx,
  idOrCode: string,
  input: { rating: 'very_satisfied' | 'satisfied' | 'dissatisfied'; comment?: string | undefined },
) {
  const actor = requireActor(ctx.actor);
  await ctx.db.transaction(async (tx) => {
    const { d, parties } = await loadVisible(tx, actor, idOrCode, true);
    if (!parties.includes('applicant')) throw new AppError('forbidden', 'DOSSIER_RATING_FORBIDDEN', { userMessage: 'Chỉ người nộp hồ sơ được đánh giá.' });
    if (d.status !== 'returned') throw new AppError('conflict', 'DOSSIER_NOT_RETURNED', { userMessage: 'Chỉ đánh giá được khi đã nhận kết quả.' });
    const rows = await tx
      .insert(dossierRatings)
      .values({ dossierId: d.id, rating: input.rating, comment: noteText(input.comment), userId: actor.userId, createdAt: ctx.now })
      .onConflictDoNothing()
      .returning({ id: dossierRatings.dossierId });
    if (!rows.length) throw new AppError('conflict', 'DOSSIER_ALREADY_RATED', { userMessage: 'Bạn đã đánh giá hồ sơ này.' });
    await appendHistory(tx, {
      dossierId: d.id,
      at: ctx.now,
      action: 'rate',
      actorId: actor.userId,
      actorRole: 'applicant',
      fromStatus: d.status,
      toStatus: d.status,
      note: null,
      data: { rating: input.rating },
    });
    await writeAudit({ ...ctx, db: tx }, { action: 'dossier.rate', targetType: 'dossier', targetId: d.id, details: { rating: input.rating } });
  });
}

export { loadVisible };
