/**
 * Plain calendar dates ('YYYY-MM-DD', no time, no zone) as integer day numbers, pure.
 * A day number counts days since 1970-01-01 in the proleptic Gregorian calendar; it is the
 * cheap key the working-day lookups and the deadline arithmetic use.
 */

export const MS_PER_DAY = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a calendar date (month 1–12); no range check. */
export function toDayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** Day number of a 'YYYY-MM-DD' string; throws RangeError when it is not a real date. */
export function parseIsoDate(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match === null) throw new RangeError(`Not a YYYY-MM-DD date: '${date}'`);
  const dayNumber = toDayNumber(Number(match[1]), Number(match[2]), Number(match[3]));
  if (formatIsoDate(dayNumber) !== date) throw new RangeError(`No such date: '${date}'`);
  return dayNumber;
}

/** True when the string is a real 'YYYY-MM-DD' date. */
export function isIsoDate(date: string): boolean {
  try {
    parseIsoDate(date);
    return true;
  } catch {
    return false;
  }
}

/** 'YYYY-MM-DD' of a day number. */
export function formatIsoDate(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Calendar date (month 1–12) of a day number. */
export function fromDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const date = new Date(dayNumber * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Gregorian year of a day number. */
export function getYearOfDayNumber(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear();
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function getIsoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** True on Saturday and Sunday, the weekly rest days of civil servants. */
export function isWeekend(dayNumber: number): boolean {
  return getIsoWeekday(dayNumber) >= 6;
}
