/** Legal time is Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving (DOMAIN section 6). */
export const VN_OFFSET_MS = 7 * 3600_000;

/** ISO 8601 with the +07:00 offset, e.g. 2026-11-26T09:30:00.000+07:00. */
export function toIso(d: Date): string {
  return new Date(d.getTime() + VN_OFFSET_MS).toISOString().replace('Z', '+07:00');
}

export function toIsoOrNull(d: Date | null | undefined): string | null {
  return d ? toIso(d) : null;
}

/** The Vietnamese calendar date (YYYY-MM-DD) of an instant. */
export function vnDate(d: Date): string {
  return new Date(d.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** dd/mm/yyyy for a YYYY-MM-DD date, as Vietnamese pages and forms write a day. */
export function formatDay(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** hh:mm dd/mm/yyyy, as printed on receipts. */
export function formatVnDateTime(d: Date): string {
  const s = new Date(d.getTime() + VN_OFFSET_MS).toISOString();
  return `${s.slice(11, 16)} ${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;
}
