/**
 * The periodic report on administrative procedure handling (báo cáo tình hình, kết quả giải
 * quyết thủ tục hành chính): pure shaping of the counts one SQL aggregation returns per
 * (competent agency, procedure field). Definitions of each column: docs/REPORTS.md.
 */
import { viCollator } from '../../platform/text.ts';

/** What the aggregation returns per group (counts as numbers). */
export interface HandlingRaw {
  agencyCode: string;
  agencyName: string;
  fieldCode: string;
  fieldName: string;
  receivedOnline: number;
  receivedOffline: number;
  carriedOver: number;
  resolvedEarly: number;
  resolvedOnTime: number;
  resolvedLate: number;
  pendingInTime: number;
  pendingOverdue: number;
  supplements: number;
  refusals: number;
  withdrawals: number;
  stopped: number;
}

export const COUNT_KEYS = [
  'receivedTotal',
  'receivedOnline',
  'receivedOffline',
  'carriedOver',
  'resolvedTotal',
  'resolvedEarly',
  'resolvedOnTime',
  'resolvedLate',
  'pendingTotal',
  'pendingInTime',
  'pendingOverdue',
  'supplements',
  'refusals',
  'withdrawals',
  'stopped',
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];
export type HandlingCounts = Record<CountKey, number>;

export interface HandlingRow extends HandlingCounts {
  agencyCode: string;
  agencyName: string;
  fieldCode: string;
  fieldName: string;
}

export interface HandlingReport {
  unit: { code: string; name: string };
  from: string;
  to: string;
  generatedAt: Date;
  rows: HandlingRow[];
  total: HandlingCounts;
}

export type ColumnGroup = 'received' | 'resolved' | 'pending' | null;

/** A count column: its Vietnamese header, its group, and for a total column the columns it adds. */
export interface CountColumn {
  key: CountKey;
  group: ColumnGroup;
  header: string;
  sumOf?: readonly CountKey[];
}

export const GROUP_HEADERS: Record<Exclude<ColumnGroup, null>, string> = {
  received: 'Số hồ sơ nhận giải quyết',
  resolved: 'Số hồ sơ đã giải quyết',
  pending: 'Số hồ sơ đang giải quyết',
};

/** The count columns in report order (the same order on screen, in CSV and in xlsx). */
export const COUNT_COLUMNS: readonly CountColumn[] = [
  { key: 'receivedTotal', group: 'received', header: 'Tổng số', sumOf: ['receivedOnline', 'receivedOffline', 'carriedOver'] },
  { key: 'receivedOnline', group: 'received', header: 'Trong kỳ: trực tuyến' },
  { key: 'receivedOffline', group: 'received', header: 'Trong kỳ: trực tiếp, bưu chính' },
  { key: 'carriedOver', group: 'received', header: 'Từ kỳ trước chuyển qua' },
  { key: 'resolvedTotal', group: 'resolved', header: 'Tổng số', sumOf: ['resolvedEarly', 'resolvedOnTime', 'resolvedLate'] },
  { key: 'resolvedEarly', group: 'resolved', header: 'Trước hạn' },
  { key: 'resolvedOnTime', group: 'resolved', header: 'Đúng hạn' },
  { key: 'resolvedLate', group: 'resolved', header: 'Quá hạn' },
  { key: 'pendingTotal', group: 'pending', header: 'Tổng số', sumOf: ['pendingInTime', 'pendingOverdue'] },
  { key: 'pendingInTime', group: 'pending', header: 'Trong hạn' },
  { key: 'pendingOverdue', group: 'pending', header: 'Quá hạn' },
  { key: 'supplements', group: null, header: 'Yêu cầu bổ sung' },
  { key: 'refusals', group: null, header: 'Từ chối tiếp nhận' },
  { key: 'withdrawals', group: null, header: 'Rút hồ sơ' },
  { key: 'stopped', group: null, header: 'Dừng xử lý' },
];

export const zeroCounts = (): HandlingCounts => Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as HandlingCounts;

/** The counts of one group with its totals derived. */
export function countsOf(r: Omit<HandlingRaw, 'agencyCode' | 'agencyName' | 'fieldCode' | 'fieldName'>): HandlingCounts {
  return {
    receivedTotal: r.receivedOnline + r.receivedOffline + r.carriedOver,
    receivedOnline: r.receivedOnline,
    receivedOffline: r.receivedOffline,
    carriedOver: r.carriedOver,
    resolvedTotal: r.resolvedEarly + r.resolvedOnTime + r.resolvedLate,
    resolvedEarly: r.resolvedEarly,
    resolvedOnTime: r.resolvedOnTime,
    resolvedLate: r.resolvedLate,
    pendingTotal: r.pendingInTime + r.pendingOverdue,
    pendingInTime: r.pendingInTime,
    pendingOverdue: r.pendingOverdue,
    supplements: r.supplements,
    refusals: r.refusals,
    withdrawals: r.withdrawals,
    stopped: r.stopped,
  };
}

export function addCounts(a: HandlingCounts, b: HandlingCounts): HandlingCounts {
  const out = zeroCounts();
  for (const k of COUNT_KEYS) out[k] = a[k] + b[k];
  return out;
}

/**
 * Every dossier handled in the period (received in it or carried over) ends the period in
 * exactly one place: resolved, withdrawn, stopped, or still in progress. Refusals happen before
 * reception and stand apart. Returns the difference (0 when the books balance).
 */
export function imbalance(c: HandlingCounts): number {
  return c.receivedTotal - (c.resolvedTotal + c.pendingTotal + c.withdrawals + c.stopped);
}

/** Rows sorted by agency then field name (Vietnamese order), with the grand total. */
export function shapeHandlingReport(
  raw: readonly HandlingRaw[],
  meta: { unit: { code: string; name: string }; from: string; to: string; generatedAt: Date },
): HandlingReport {
  const rows: HandlingRow[] = raw
    .map((r) => ({ agencyCode: r.agencyCode, agencyName: r.agencyName, fieldCode: r.fieldCode, fieldName: r.fieldName, ...countsOf(r) }))
    .filter((r) => COUNT_KEYS.some((k) => r[k] !== 0))
    .sort((a, b) => viCollator.compare(a.agencyName, b.agencyName) || viCollator.compare(a.fieldName, b.fieldName) || a.fieldCode.localeCompare(b.fieldCode));
  const total = rows.reduce<HandlingCounts>((acc, r) => addCounts(acc, r), zeroCounts());
  return { ...meta, rows, total };
}

/** The flat header of a count column, for one-row headers (CSV): "Số hồ sơ đã giải quyết: Quá hạn". */
export const flatHeader = (c: CountColumn): string => (c.group ? `${GROUP_HEADERS[c.group]}: ${c.header.toLowerCase()}` : c.header);
