/**
 * The Decision 766 service index, pure: the sub-indicators, the default configuration, scoring,
 * and the per-dossier rules (end time, progress verdict, digitisation and online flags).
 * No I/O here. The SQL in service-index.repo.ts implements the same per-dossier rules set-based;
 * the unit tests pin these rules and the benchmark checks the SQL against them on 1,000,000
 * dossiers. Domain background: DOMAIN section 7; docs/SERVICE_INDEX.md.
 */

export const GROUP_KEYS = ['transparency', 'progress', 'digitisation', 'online', 'satisfaction'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export const GROUP_NAMES: Record<GroupKey, string> = {
  transparency: 'Công khai, minh bạch',
  progress: 'Tiến độ, kết quả giải quyết',
  digitisation: 'Số hóa hồ sơ',
  online: 'Cung cấp dịch vụ trực tuyến',
  satisfaction: 'Mức độ hài lòng',
};

/** What an indicator counts: dossiers, procedures, or a source tinhso does not have yet. */
export type IndicatorBasis = 'dossiers' | 'procedures' | 'unavailable';

export const INDICATORS = [
  { key: 'transparency.published_on_time', group: 'transparency', basis: 'unavailable', name: 'Tỷ lệ TTHC được công bố đúng hạn' },
  { key: 'transparency.updated_on_time', group: 'transparency', basis: 'unavailable', name: 'Tỷ lệ TTHC được cập nhật, công khai đúng hạn' },
  { key: 'transparency.complete_content', group: 'transparency', basis: 'procedures', name: 'Tỷ lệ TTHC công khai đầy đủ nội dung bắt buộc' },
  { key: 'transparency.synced', group: 'transparency', basis: 'unavailable', name: 'Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG' },
  { key: 'progress.on_time', group: 'progress', basis: 'dossiers', name: 'Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn' },
  { key: 'digitisation.electronic_result', group: 'digitisation', basis: 'dossiers', name: 'Tỷ lệ hồ sơ cấp kết quả điện tử' },
  { key: 'digitisation.digitised', group: 'digitisation', basis: 'dossiers', name: 'Tỷ lệ hồ sơ được số hóa' },
  { key: 'digitisation.reused', group: 'digitisation', basis: 'dossiers', name: 'Tỷ lệ hồ sơ tái sử dụng dữ liệu đã có' },
  { key: 'digitisation.data_store_links', group: 'digitisation', basis: 'unavailable', name: 'Kết nối kho dữ liệu cá nhân của người nộp' },
  { key: 'digitisation.vneid', group: 'digitisation', basis: 'unavailable', name: 'Sử dụng CSDL quốc gia về dân cư / tài khoản VNeID' },
  { key: 'online.offered', group: 'online', basis: 'procedures', name: 'Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến' },
  { key: 'online.used', group: 'online', basis: 'procedures', name: 'Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ' },
  { key: 'online.online_dossiers', group: 'online', basis: 'dossiers', name: 'Tỷ lệ hồ sơ nộp trực tuyến (và nhận kết quả điện tử)' },
  { key: 'online.payment_integrated', group: 'online', basis: 'procedures', name: 'Tỷ lệ TTHC có phí tích hợp thanh toán trực tuyến' },
  { key: 'online.paid_online', group: 'online', basis: 'dossiers', name: 'Tỷ lệ hồ sơ có phí được thanh toán trực tuyến' },
  { key: 'satisfaction.feedback_on_time', group: 'satisfaction', basis: 'unavailable', name: 'Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn' },
  { key: 'satisfaction.feedback_satisfaction', group: 'satisfaction', basis: 'unavailable', name: 'Mức độ hài lòng về xử lý phản ánh, kiến nghị' },
  { key: 'satisfaction.dossier_satisfaction', group: 'satisfaction', basis: 'dossiers', name: 'Mức độ hài lòng về giải quyết hồ sơ' },
] as const satisfies readonly { key: string; group: GroupKey; basis: IndicatorBasis; name: string }[];

export type IndicatorKey = (typeof INDICATORS)[number]['key'];
export const INDICATOR_KEYS = INDICATORS.map((i) => i.key) as IndicatorKey[];
export const DOSSIER_INDICATORS = INDICATORS.filter((i) => i.basis === 'dossiers').map((i) => i.key) as IndicatorKey[];
export const PROCEDURE_INDICATORS = INDICATORS.filter((i) => i.basis === 'procedures').map((i) => i.key) as IndicatorKey[];

export function isIndicatorKey(k: string): k is IndicatorKey {
  return (INDICATOR_KEYS as string[]).includes(k);
}

/** Targets, points and group maxima: versioned configuration (DOMAIN: [config] except where given). */
export interface IndexConfig {
  groups: { key: GroupKey; max: number }[];
  indicators: { key: IndicatorKey; points: number; target: number }[];
}

/**
 * The seeded version. Group maxima and the progress (20), "updated on time" (4) and dossier
 * satisfaction (6) points are DOMAIN's; the other points split each group's maximum evenly
 * enough; targets 80 %, online dossiers 50 %, dossier satisfaction 90 % (DOMAIN section 7).
 */
export const DEFAULT_CONFIG: IndexConfig = {
  groups: [
    { key: 'transparency', max: 18 },
    { key: 'progress', max: 20 },
    { key: 'digitisation', max: 22 },
    { key: 'online', max: 22 },
    { key: 'satisfaction', max: 18 },
  ],
  indicators: [
    { key: 'transparency.published_on_time', points: 4, target: 0.8 },
    { key: 'transparency.updated_on_time', points: 4, target: 0.8 },
    { key: 'transparency.complete_content', points: 4, target: 0.8 },
    { key: 'transparency.synced', points: 6, target: 0.8 },
    { key: 'progress.on_time', points: 20, target: 0.8 },
    { key: 'digitisation.electronic_result', points: 6, target: 0.8 },
    { key: 'digitisation.digitised', points: 6, target: 0.8 },
    { key: 'digitisation.reused', points: 4, target: 0.8 },
    { key: 'digitisation.data_store_links', points: 3, target: 0.8 },
    { key: 'digitisation.vneid', points: 3, target: 0.8 },
    { key: 'online.offered', points: 4, target: 0.8 },
    { key: 'online.used', points: 4, target: 0.8 },
    { key: 'online.online_dossiers', points: 6, target: 0.5 },
    { key: 'online.payment_integrated', points: 4, target: 0.8 },
    { key: 'online.paid_online', points: 4, target: 0.8 },
    { key: 'satisfaction.feedback_on_time', points: 6, target: 0.8 },
    { key: 'satisfaction.feedback_satisfaction', points: 6, target: 0.8 },
    { key: 'satisfaction.dossier_satisfaction', points: 6, target: 0.9 },
  ],
};

/** Problems with a configuration (empty when valid): every group and indicator once, points adding up. */
export function findConfigProblems(c: IndexConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const groups = new Map<string, number>();
  c.groups.forEach((g, i) => {
    if (!(GROUP_KEYS as readonly string[]).includes(g.key)) problems.push({ path: `groups.${i}.key`, message: `Nhóm không tồn tại: ${g.key}` });
    else if (groups.has(g.key)) problems.push({ path: `groups.${i}.key`, message: `Nhóm bị lặp: ${g.key}` });
    if (!(Number.isFinite(g.max) && g.max >= 0 && g.max <= 100)) problems.push({ path: `groups.${i}.max`, message: 'Điểm tối đa phải từ 0 đến 100' });
    groups.set(g.key, g.max);
  });
  for (const k of GROUP_KEYS) if (!groups.has(k)) problems.push({ path: 'groups', message: `Thiếu nhóm ${k}` });
  const sums = new Map<string, number>();
  const seen = new Set<string>();
  c.indicators.forEach((ind, i) => {
    const def = INDICATORS.find((d) => d.key === ind.key);
    if (!def) {
      problems.push({ path: `indicators.${i}.key`, message: `Chỉ số không tồn tại: ${ind.key}` });
      return;
    }
    if (seen.has(ind.key)) problems.push({ path: `indicators.${i}.key`, message: `Chỉ số bị lặp: ${ind.key}` });
    seen.add(ind.key);
    if (!(Number.isFinite(ind.points) && ind.points >= 0)) problems.push({ path: `indicators.${i}.points`, message: 'Điểm phải không âm' });
    if (!(Number.isFinite(ind.target) && ind.target > 0 && ind.target <= 1))
      problems.push({ path: `indicators.${i}.target`, message: 'Chỉ tiêu phải trong (0, 1]' });
    sums.set(def.group, (sums.get(def.group) ?? 0) + ind.points);
  });
  for (const k of INDICATOR_KEYS) if (!seen.has(k)) problems.push({ path: 'indicators', message: `Thiếu chỉ số ${k}` });
  for (const [g, max] of groups) {
    const sum = sums.get(g) ?? 0;
    if (Math.abs(sum - max) > 1e-9)
      problems.push({ path: 'indicators', message: `Tổng điểm các chỉ số nhóm ${g} (${sum}) phải bằng điểm tối đa của nhóm (${max})` });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Scoring

export const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;
export const round4 = (x: number): number => Math.round((x + Number.EPSILON) * 10_000) / 10_000;

export interface IndicatorScore {
  ratio: number | null;
  score: number | null;
  applicable: boolean;
}

/**
 * DOMAIN section 7: at or above the target a ratio earns the maximum; below it,
 * ratio × max ÷ target. No denominator: not applicable (null, never zero).
 */
export function scoreIndicator(numerator: number, denominator: number, target: number, max: number): IndicatorScore {
  if (denominator <= 0) return { ratio: null, score: null, applicable: false };
  const ratio = numerator / denominator;
  const score = ratio >= target ? max : (ratio * max) / target;
  return { ratio: round4(ratio), score: round2(score), applicable: true };
}

export interface Counts {
  numerator: number;
  denominator: number;
}

export interface IndicatorResult {
  key: IndicatorKey;
  name: string;
  basis: IndicatorBasis;
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator (4 decimals), null when not applicable. */
  ratio: number | null;
  target: number;
  max: number;
  /** 2 decimals, null when not applicable. */
  score: number | null;
  applicable: boolean;
}

export interface GroupResult {
  key: GroupKey;
  name: string;
  /** The group's configured maximum. */
  max: number;
  /** The maximum of its applicable indicators (what `score` is out of). */
  applicableMax: number;
  /** Sum of its applicable indicators' scores; null when none applies. */
  score: number | null;
  indicators: IndicatorResult[];
}

export interface Scored {
  /** Points earned on applicable indicators. */
  total: number;
  /** Points available on applicable indicators (100 when all apply). */
  max: number;
  /** total ÷ max × 100, 2 decimals; null when nothing applies. Rankings order by it. */
  percent: number | null;
  groups: GroupResult[];
}

/** Turns counts into scored groups with a configuration. Missing counts are 0/0 (not applicable). */
export function scoreAll(config: IndexConfig, counts: Partial<Record<IndicatorKey, Counts>>): Scored {
  let total = 0;
  let max = 0;
  const groups = GROUP_KEYS.map((gk): GroupResult => {
    const groupMax = config.groups.find((g) => g.key === gk)?.max ?? 0;
    let score: number | null = null;
    let applicableMax = 0;
    const indicators = INDICATORS.filter((i) => i.group === gk).map((def): IndicatorResult => {
      const conf = config.indicators.find((c) => c.key === def.key) ?? { points: 0, target: 1 };
      const c = counts[def.key] ?? { numerator: 0, denominator: 0 };
      const s = scoreIndicator(c.numerator, c.denominator, conf.target, conf.points);
      if (s.applicable) {
        score = round2((score ?? 0) + s.score!);
        applicableMax = round2(applicableMax + conf.points);
      }
      return {
        key: def.key,
        name: def.name,
        basis: def.basis,
        numerator: c.numerator,
        denominator: c.denominator,
        ratio: s.ratio,
        target: conf.target,
        max: conf.points,
        score: s.score,
        applicable: s.applicable,
      };
    });
    total = round2(total + (score ?? 0));
    max = round2(max + applicableMax);
    return { key: gk, name: GROUP_NAMES[gk], max: groupMax, applicableMax, score, indicators };
  });
  return { total, max, percent: max > 0 ? round2((total / max) * 100) : null, groups };
}

// ---------------------------------------------------------------------------------------------
// Periods (Asia/Ho_Chi_Minh calendar days, inclusive)

export interface Period {
  from: string;
  to: string;
  /** 00:00 +07:00 of `from`. */
  start: Date;
  /** 00:00 +07:00 of the day after `to` (exclusive). */
  end: Date;
  /** When unfinished dossiers are judged: the end of the period, or now if that is earlier. */
  judgeAt: Date;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export const startOfVnDay = (date: string): Date => new Date(`${date}T00:00:00+07:00`);

export function makePeriod(from: string, to: string, now: Date): Period {
  const start = startOfVnDay(from);
  const end = new Date(startOfVnDay(to).getTime() + 86_400_000);
  return { from, to, start, end, judgeAt: now < end ? now : end };
}

// ---------------------------------------------------------------------------------------------
// Per-dossier rules

export type DossierStatus =
  'draft' | 'submitted' | 'received' | 'refused' | 'in_progress' | 'supplement_requested' | 'payment_requested' | 'withdrawn' | 'stopped' | 'done' | 'returned';

export interface PauseSpan {
  from: Date;
  to: Date;
}

/** What the rules need to know about one dossier (all from the dossier row and its procedure version). */
export interface DossierFacts {
  status: DossierStatus;
  channel: 'online' | 'in_person' | 'post';
  receivedAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  pausedAt: Date | null;
  /** Closed supplement pauses (each a request made while the clock ran, resumed at the desk). */
  pauses: PauseSpan[];
  supplementCount: number;
  /**
   * The deadline the index judges against: the due date without extensions, with supplement
   * time excluded. Equal to `dueAt` when the dossier was never extended; otherwise recomputed
   * from the reception time, the procedure's processing time and the pauses (service).
   */
  indexDueAt: Date | null;
  /** The procedure version's result kind: 'paper' and 'both' may return a paper result. */
  resultKind: 'paper' | 'electronic' | 'both';
  /** The dossier was given an electronic result: a sealed result is recorded for it (documents module). */
  electronicResult: boolean;
  /** A payment request was issued for the dossier (or it was paid online). */
  paymentRequested: boolean;
  /** The procedure version offers the online channel. */
  offeredOnline: boolean;
  /** The procedure version has a fee or charge with a positive amount. */
  feeBearing: boolean;
  /** Every required component has a live file. */
  componentsAttached: boolean;
  /** At least one live file was taken from the applicant's earlier dossiers. */
  reused: boolean;
  isPaidOnline: boolean;
  rating: 'very_satisfied' | 'satisfied' | 'dissatisfied' | null;
}

const FINAL: readonly DossierStatus[] = ['refused', 'withdrawn', 'stopped', 'done', 'returned'];

/**
 * End time, precedence done > returned > stopped/refused (DOMAIN section 7). `finishedAt` is the
 * approval (done) time for done and returned dossiers, and the decision time for stopped, refused
 * and withdrawn ones; `returnedAt` only stands in when a returned dossier has no approval time.
 * Null while the dossier is open.
 */
export function endTime(f: Pick<DossierFacts, 'status' | 'finishedAt' | 'returnedAt'>): Date | null {
  if (!FINAL.includes(f.status)) return null;
  return f.finishedAt ?? (f.status === 'returned' ? f.returnedAt : null);
}

const minDate = (a: Date, b: Date | null): Date => (b !== null && b < a ? b : a);

/** Supplement requests made (while the clock ran) up to an instant: closed pauses plus the open one. */
export function supplementsBy(f: Pick<DossierFacts, 'pauses' | 'pausedAt'>, at: Date): number {
  return f.pauses.filter((p) => p.from <= at).length + (f.pausedAt !== null && f.pausedAt <= at ? 1 : 0);
}

export type ProgressReason = 'on_time' | 'late' | 'too_many_supplements' | 'unfinished_late' | 'unfinished_too_many_supplements';

export type ProgressVerdict =
  | { counted: false; excluded: 'not_received' | 'outside_period' | 'unfinished_within_time' }
  | { counted: true; onTime: boolean; reason: ProgressReason; clockEnd: Date; supplements: number };

/**
 * The progress sub-indicator for one dossier and period (DOMAIN section 7):
 * - only received dossiers count (a withdrawal counts only if the dossier was received);
 * - a dossier that ended in the period is judged at its end time; one still open at the end of
 *   the period (or now, for a period not over yet) is judged then, and enters the denominator
 *   only if it is late by then (a dossier still within its time has no outcome yet);
 * - the clock stops while the dossier waits for a supplement (if it ended or is judged while
 *   paused, it is judged at the pause), and the deadline excludes supplement time;
 * - more than one supplement request makes it late;
 * - extensions do not help: the deadline is the one without extensions (`indexDueAt`).
 */
export function judgeProgress(f: DossierFacts, period: Period): ProgressVerdict {
  if (f.receivedAt === null) return { counted: false, excluded: 'not_received' };
  const end = endTime(f);
  const endedInPeriod = end !== null && end >= period.start && end < period.end;
  const openAtEnd = f.receivedAt < period.judgeAt && (end === null || end >= period.end);
  if (!endedInPeriod && !openAtEnd) return { counted: false, excluded: 'outside_period' };
  const judgedAt = endedInPeriod ? end! : period.judgeAt;
  const clockEnd = minDate(judgedAt, f.pausedAt);
  const supplements = endedInPeriod ? f.supplementCount : supplementsBy(f, period.judgeAt);
  const tooMany = supplements > 1;
  const late = f.indexDueAt !== null && clockEnd > f.indexDueAt;
  if (endedInPeriod) {
    const reason: ProgressReason = tooMany ? 'too_many_supplements' : late ? 'late' : 'on_time';
    return { counted: true, onTime: reason === 'on_time', reason, clockEnd, supplements };
  }
  if (!tooMany && !late) return { counted: false, excluded: 'unfinished_within_time' };
  return { counted: true, onTime: false, reason: tooMany ? 'unfinished_too_many_supplements' : 'unfinished_late', clockEnd, supplements };
}

/**
 * Online dossiers' result condition (DOMAIN section 7: "where the procedure returns a paper result,
 * given an electronic result"): a procedure whose result is only electronic needs nothing more;
 * one that returns a paper result, or may ('both'), needs the dossier to have been given an
 * electronic result.
 */
export const onlineResultOk = (f: Pick<DossierFacts, 'resultKind' | 'electronicResult'>): boolean => f.resultKind === 'electronic' || f.electronicResult;

/** Why a dossier did or did not count in an indicator (explanations). */
export type ContributionReason =
  | ProgressReason
  | 'electronic_result'
  | 'no_electronic_result'
  | 'digitised'
  | 'components_missing'
  | 'reused'
  | 'not_reused'
  | 'online'
  | 'online_paper_result'
  | 'not_online'
  | 'paid_online'
  | 'not_paid_online'
  | 'satisfied'
  | 'rated_dissatisfied';

export interface Contribution {
  counted: boolean;
  reason: ContributionReason;
}

/**
 * Where one dossier stands in every dossier-based indicator for a period: absent = not in the
 * denominator; otherwise whether it counts in the numerator and why.
 * - progress: judgeProgress;
 * - electronic result and dossier satisfaction: dossiers resolved (done or returned) in the period;
 *   electronic result = the dossier was given one (a sealed result recorded for it);
 *   satisfaction = not late and not rated dissatisfied (complaints come with the feedback module);
 * - digitised, reused: dossiers received in the period;
 * - online dossiers: received in the period for a procedure offered online; counts when submitted
 *   online and, where the procedure may return a paper result, given an electronic result;
 * - paid online: received in the period for a fee-bearing procedure and asked to pay.
 */
export function dossierContributions(f: DossierFacts, period: Period): Partial<Record<IndicatorKey, Contribution>> {
  const out: Partial<Record<IndicatorKey, Contribution>> = {};
  const p = judgeProgress(f, period);
  if (p.counted) out['progress.on_time'] = { counted: p.onTime, reason: p.reason };
  const end = endTime(f);
  const resolvedInPeriod = f.receivedAt !== null && (f.status === 'done' || f.status === 'returned') && end !== null && end >= period.start && end < period.end;
  if (resolvedInPeriod) {
    const e = f.electronicResult;
    out['digitisation.electronic_result'] = { counted: e, reason: e ? 'electronic_result' : 'no_electronic_result' };
    const late = p.counted && !p.onTime;
    const dissatisfied = f.rating === 'dissatisfied';
    out['satisfaction.dossier_satisfaction'] = {
      counted: !late && !dissatisfied,
      reason: late && p.counted ? p.reason : dissatisfied ? 'rated_dissatisfied' : 'satisfied',
    };
  }
  const receivedInPeriod = f.receivedAt !== null && f.receivedAt >= period.start && f.receivedAt < period.end;
  if (receivedInPeriod) {
    out['digitisation.digitised'] = { counted: f.componentsAttached, reason: f.componentsAttached ? 'digitised' : 'components_missing' };
    out['digitisation.reused'] = { counted: f.reused, reason: f.reused ? 'reused' : 'not_reused' };
    if (f.offeredOnline) {
      const online = f.channel === 'online';
      const ok = online && onlineResultOk(f);
      out['online.online_dossiers'] = { counted: ok, reason: ok ? 'online' : online ? 'online_paper_result' : 'not_online' };
    }
    if (f.feeBearing && f.paymentRequested) out['online.paid_online'] = { counted: f.isPaidOnline, reason: f.isPaidOnline ? 'paid_online' : 'not_paid_online' };
  }
  return out;
}

/** Adds one dossier's contributions to running counts (the reference computation). */
export function addContributions(counts: Partial<Record<IndicatorKey, Counts>>, c: Partial<Record<IndicatorKey, { counted: boolean }>>): void {
  for (const [k, v] of Object.entries(c) as [IndicatorKey, { counted: boolean }][]) {
    const cur = counts[k] ?? { numerator: 0, denominator: 0 };
    cur.denominator += 1;
    if (v.counted) cur.numerator += 1;
    counts[k] = cur;
  }
}

// ---------------------------------------------------------------------------------------------
// Procedure-based indicators

/** Mandatory published content (Decree 63/2010 art. 8 and DOMAIN section 3) a definition lacks. */
export function missingMandatoryContent(def: Record<string, unknown>): string[] {
  const text = (k: string) => typeof def[k] === 'string' && (def[k] as string).trim().length > 0;
  const list = (k: string, min = 1) => Array.isArray(def[k]) && (def[k] as unknown[]).length >= min;
  const missing: string[] = [];
  if (!text('name')) missing.push('name');
  if (!text('steps')) missing.push('steps');
  if (!list('channels')) missing.push('channels');
  if (!Array.isArray(def.components)) missing.push('components');
  const duration = def.duration as { value?: unknown; unit?: unknown } | undefined;
  if (!duration || typeof duration.value !== 'number' || typeof duration.unit !== 'string') missing.push('duration');
  if (!text('eligibility')) missing.push('eligibility');
  if (!text('competentAgencyCode')) missing.push('competentAgencyCode');
  if (!text('resultDescription')) missing.push('resultDescription');
  if (!list('legalBasis')) missing.push('legalBasis');
  if (!Array.isArray(def.fees)) missing.push('fees');
  return missing;
}

export interface ProcedureFacts {
  definition: Record<string, unknown>;
  offeredOnline: boolean;
  feeBearing: boolean;
  /** Online dossiers received in the period within the unit. */
  hasOnlineDossier: boolean;
  /** Dossiers paid online in the period within the unit. */
  hasPaidOnlineDossier: boolean;
}

export type ProcedureReason =
  'complete' | 'content_missing' | 'offered_online' | 'not_offered_online' | 'online_used' | 'online_unused' | 'payment_integrated' | 'payment_not_integrated';

/**
 * Where one procedure stands in the procedure-based indicators:
 * - complete content: every procedure in force for the unit;
 * - offered online: every procedure; counts when its channels include online;
 * - used: procedures offered online; counts when an online dossier was received in the period;
 * - payment integrated: fee-bearing procedures; counts when a dossier was paid online in the
 *   period (evidence of the integration until the payments module records it directly).
 */
export function procedureContributions(p: ProcedureFacts): Partial<Record<IndicatorKey, { counted: boolean; reason: ProcedureReason }>> {
  const out: Partial<Record<IndicatorKey, { counted: boolean; reason: ProcedureReason }>> = {};
  const complete = missingMandatoryContent(p.definition).length === 0;
  out['transparency.complete_content'] = { counted: complete, reason: complete ? 'complete' : 'content_missing' };
  out['online.offered'] = { counted: p.offeredOnline, reason: p.offeredOnline ? 'offered_online' : 'not_offered_online' };
  if (p.offeredOnline) out['online.used'] = { counted: p.hasOnlineDossier, reason: p.hasOnlineDossier ? 'online_used' : 'online_unused' };
  if (p.feeBearing)
    out['online.payment_integrated'] = { counted: p.hasPaidOnlineDossier, reason: p.hasPaidOnlineDossier ? 'payment_integrated' : 'payment_not_integrated' };
  return out;
}

/** Vietnamese text of a reason, with the lateness in working days where it applies. */
export function reasonText(reason: ContributionReason | ProcedureReason, extra: { lateWorkingDays?: number | null; supplements?: number } = {}): string {
  const days = extra.lateWorkingDays != null ? extra.lateWorkingDays.toLocaleString('vi-VN', { maximumFractionDigits: 2 }) : null;
  switch (reason) {
    case 'on_time':
      return 'Giải quyết trước hạn hoặc đúng hạn';
    case 'late':
      return days ? `Trễ hạn ${days} ngày làm việc` : 'Trễ hạn';
    case 'too_many_supplements':
      return `Yêu cầu bổ sung ${extra.supplements ?? 2} lần (quá 1 lần tính là trễ hạn)`;
    case 'unfinished_late':
      return days ? `Chưa giải quyết xong, đã quá hạn ${days} ngày làm việc tại cuối kỳ` : 'Chưa giải quyết xong, đã quá hạn tại cuối kỳ';
    case 'unfinished_too_many_supplements':
      return `Chưa giải quyết xong, đã yêu cầu bổ sung ${extra.supplements ?? 2} lần`;
    case 'electronic_result':
      return 'Được cấp kết quả điện tử (có kết quả được ký số)';
    case 'no_electronic_result':
      return 'Không được cấp kết quả điện tử (không có kết quả được ký số)';
    case 'digitised':
      return 'Đã số hóa đủ thành phần bắt buộc';
    case 'components_missing':
      return 'Thiếu tệp số hóa của thành phần bắt buộc';
    case 'reused':
      return 'Có tái sử dụng giấy tờ đã có';
    case 'not_reused':
      return 'Không tái sử dụng dữ liệu đã có';
    case 'online':
      return 'Nộp trực tuyến, nhận kết quả điện tử';
    case 'online_paper_result':
      return 'Nộp trực tuyến nhưng thủ tục trả kết quả giấy và hồ sơ không được cấp kết quả điện tử';
    case 'not_online':
      return 'Không nộp trực tuyến';
    case 'paid_online':
      return 'Đã thanh toán trực tuyến';
    case 'not_paid_online':
      return 'Không thanh toán trực tuyến';
    case 'satisfied':
      return 'Đúng hạn, không có đánh giá không hài lòng';
    case 'rated_dissatisfied':
      return 'Người nộp đánh giá không hài lòng';
    case 'complete':
      return 'Công khai đủ nội dung bắt buộc';
    case 'content_missing':
      return 'Thiếu nội dung bắt buộc';
    case 'offered_online':
      return 'Có cung cấp dịch vụ công trực tuyến';
    case 'not_offered_online':
      return 'Chưa cung cấp dịch vụ công trực tuyến';
    case 'online_used':
      return 'Có hồ sơ trực tuyến trong kỳ';
    case 'online_unused':
      return 'Không có hồ sơ trực tuyến nào trong kỳ';
    case 'payment_integrated':
      return 'Có hồ sơ thanh toán trực tuyến trong kỳ';
    case 'payment_not_integrated':
      return 'Chưa có hồ sơ thanh toán trực tuyến trong kỳ';
    default: {
      const never: never = reason;
      return never;
    }
  }
}
