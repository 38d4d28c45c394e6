/**
 * Plain calendar dates ('YYYY-MM-DD', no time, no zone) as integer day numbers, pure.
 * A day number counts days since 1970-01-01 in the proleptic Gregorian calendar; it is the
 * cheap key the working-day lookups and the deadline arithmetic use. Whether a string is a real
 * day at all is `isRealDay` (platform/schemas.ts), the one check the whole application uses.
 */
import { isRealDay } from '../../platform/schemas.ts';

export const MS_PER_DAY = 86_400_000;

/** Day number of a calendar date (month 1–12); no range check. */
export function toDayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** Day number of a 'YYYY-MM-DD' string; throws RangeError when it is not a real day (`isRealDay`). */
export function parseIsoDate(date: string): number {
  if (!isRealDay(date)) throw new RangeError(`Not a real YYYY-MM-DD date: '${date}'`);
  return toDayNumber(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
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
