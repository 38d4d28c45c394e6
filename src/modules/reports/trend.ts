/** The monthly trend of the dashboard, pure: twelve months ending with the period's last month. */
import { addDays, periodOf, type Period } from './period.ts';

export interface TrendMonth {
  /** YYYY-MM */
  month: string;
  received: number;
  resolved: number;
  resolvedOnTime: number;
  /** resolvedOnTime ÷ resolved as a percentage (2 decimals), null when nothing was resolved. */
  onTimePercent: number | null;
}

/** 'YYYY-MM' of the `count` months ending with the month of `to`, oldest first. */
export function monthsEnding(to: string, count = 12): string[] {
  const y = Number(to.slice(0, 4));
  const m = Number(to.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const k = y * 12 + m - i;
    out.push(`${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/** The span the months cover: from the first day of the first month to the last day of the last. */
export function trendSpan(months: readonly string[]): Period {
  const last = months[months.length - 1]!;
  const next = monthsEnding(`${last}-01`, 1)[0]!;
  const [y, m] = [Number(next.slice(0, 4)), Number(next.slice(5, 7))];
  const after = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return periodOf(`${months[0]}-01`, addDays(after, -1));
}

/** Every month present (zeros where the query returned none), with the on-time percentage. */
export function shapeTrend(
  months: readonly string[],
  rows: readonly { month: string; received: number; resolved: number; resolvedOnTime: number }[],
): TrendMonth[] {
  const by = new Map(rows.map((r) => [r.month, r]));
  return months.map((month) => {
    const r = by.get(month) ?? { received: 0, resolved: 0, resolvedOnTime: 0 };
    return {
      month,
      received: Number(r.received),
      resolved: Number(r.resolved),
      resolvedOnTime: Number(r.resolvedOnTime),
      onTimePercent: Number(r.resolved) > 0 ? Math.round((Number(r.resolvedOnTime) / Number(r.resolved)) * 10_000) / 100 : null,
    };
  });
}
