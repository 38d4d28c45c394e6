/**
 * Vietnamese lunisolar calendar (âm lịch), pure.
 *
 * Hồ Ngọc Đức's astronomical algorithm ("Thuật toán tính âm lịch"): months start on the local
 * day of the astronomical new moon; month 11 is the month containing the winter solstice; a
 * year with 13 months repeats the first month after month 11 that contains no major solar term
 * (trung khí). The computation is done in Vietnam's time zone (UTC+7). China computes in
 * UTC+8, so the two calendars differ whenever a new moon or a solar term falls between 16:00
 * and 17:00 UTC (e.g. Tết 1985: Vietnam 21 Jan, China 20 Feb; Tết 2007: 17 Feb vs 18 Feb).
 *
 * The astronomy uses Meeus' low-precision series; it is checked against published dates for
 * 1990–2050 (see lunar.test.ts). Solar dates are proleptic Gregorian.
 */

export interface SolarDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

export interface LunarDate {
  /** The lunar year, named by the solar year in which its Tết falls. */
  year: number;
  /** 1–12; a leap month repeats the number of the month before it. */
  month: number;
  /** 1–30 */
  day: number;
  isLeapMonth: boolean;
}

export const VIETNAM_TIME_ZONE_HOURS = 7;

const SYNODIC_MONTH = 29.530588853;
/** Julian day of the new moon of 1 Jan 1900, Hồ Ngọc Đức's epoch for counting lunations. */
const LUNATION_EPOCH = 2415021.076998695;
const JULIAN_DAY_OF_UNIX_EPOCH = 2440588;
const MS_PER_DAY = 86_400_000;
const DEGREE = Math.PI / 180;

/** Julian day number of a proleptic Gregorian date. */
function toJulianDay(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY) + JULIAN_DAY_OF_UNIX_EPOCH;
}

/** Proleptic Gregorian date of a Julian day number. */
function fromJulianDay(julianDay: number): SolarDate {
  const date = new Date((julianDay - JULIAN_DAY_OF_UNIX_EPOCH) * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Julian date (fractional, UT) of the k-th new moon after 1 Jan 1900 (Meeus, ch. 49 short form). */
function computeNewMoon(k: number): number {
  const t = k / 1236.85;
  const t2 = t * t;
  const t3 = t2 * t;
  const meanNewMoon = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3 + 0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * DEGREE);
  const sunAnomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * DEGREE;
  const moonAnomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * DEGREE;
  const moonLatitude = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * DEGREE;
  const correction =
    (0.1734 - 0.000393 * t) * Math.sin(sunAnomaly) +
    0.0021 * Math.sin(2 * sunAnomaly) -
    0.4068 * Math.sin(moonAnomaly) +
    0.0161 * Math.sin(2 * moonAnomaly) -
    0.0004 * Math.sin(3 * moonAnomaly) +
    0.0104 * Math.sin(2 * moonLatitude) -
    0.0051 * Math.sin(sunAnomaly + moonAnomaly) -
    0.0074 * Math.sin(sunAnomaly - moonAnomaly) +
    0.0004 * Math.sin(2 * moonLatitude + sunAnomaly) -
    0.0004 * Math.sin(2 * moonLatitude - sunAnomaly) -
    0.0006 * Math.sin(2 * moonLatitude + moonAnomaly) +
    0.001 * Math.sin(2 * moonLatitude - moonAnomaly) +
    0.0005 * Math.sin(2 * moonAnomaly + sunAnomaly);
  const deltaT = t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3 : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return meanNewMoon + correction - deltaT;
}

/** Sun's apparent longitude in radians, [0, 2π), at a fractional Julian date (UT). */
function computeSunLongitude(julianDate: number): number {
  const t = (julianDate - 2451545.0) / 36525;
  const t2 = t * t;
  const meanAnomaly = (357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * DEGREE;
  const meanLongitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  const center =
    (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(meanAnomaly) +
    (0.019993 - 0.000101 * t) * Math.sin(2 * meanAnomaly) +
    0.00029 * Math.sin(3 * meanAnomaly);
  const longitude = (meanLongitude + center) * DEGREE;
  return longitude - 2 * Math.PI * Math.floor(longitude / (2 * Math.PI));
}

/** Julian day number of the local day on which the k-th new moon falls. */
function getNewMoonDay(k: number, timeZoneHours: number): number {
  return Math.floor(computeNewMoon(k) + 0.5 + timeZoneHours / 24);
}

/** Index 0–11 of the 30° sector of the sun's longitude at the start of a local day. */
function getSunSector(julianDay: number, timeZoneHours: number): number {
  return Math.floor((computeSunLongitude(julianDay - 0.5 - timeZoneHours / 24) / Math.PI) * 6);
}

const month11Cache = new Map<string, number>();

/** Julian day on which lunar month 11 (the month holding the winter solstice) begins before 31 Dec of `year`. */
function getMonth11Start(year: number, timeZoneHours: number): number {
  const key = `${year}@${timeZoneHours}`;
  const cached = month11Cache.get(key);
  if (cached !== undefined) return cached;
  const k = Math.floor((toJulianDay(year, 12, 31) - 2415021) / SYNODIC_MONTH);
  let start = getNewMoonDay(k, timeZoneHours);
  if (getSunSector(start, timeZoneHours) >= 9) start = getNewMoonDay(k - 1, timeZoneHours);
  month11Cache.set(key, start);
  return start;
}

/** Months after month 11 (starting at `month11Start`) until the first month without a major solar term. */
function getLeapMonthOffset(month11Start: number, timeZoneHours: number): number {
  const k = Math.floor((month11Start - LUNATION_EPOCH) / SYNODIC_MONTH + 0.5);
  let offset = 1;
  let sector = getSunSector(getNewMoonDay(k + offset, timeZoneHours), timeZoneHours);
  let previous: number;
  do {
    previous = sector;
    offset += 1;
    sector = getSunSector(getNewMoonDay(k + offset, timeZoneHours), timeZoneHours);
  } while (sector !== previous && offset < 14);
  return offset - 1;
}

function assertSolarDate(year: number, month: number, day: number): void {
  const valid =
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    fromJulianDay(toJulianDay(year, month, day)).day === day;
  if (!valid) throw new RangeError(`Invalid solar date ${year}-${month}-${day}`);
}

/** Lunar date of a solar date computed in an arbitrary time zone (tests use UTC+8 to compare with China). */
export function convertSolarToLunar(year: number, month: number, day: number, timeZoneHours: number): LunarDate {
  assertSolarDate(year, month, day);
  const dayNumber = toJulianDay(year, month, day);
  const k = Math.floor((dayNumber - LUNATION_EPOCH) / SYNODIC_MONTH);
  let monthStart = getNewMoonDay(k + 1, timeZoneHours);
  if (monthStart > dayNumber) monthStart = getNewMoonDay(k, timeZoneHours);

  let a11 = getMonth11Start(year, timeZoneHours);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = year;
    a11 = getMonth11Start(year - 1, timeZoneHours);
  } else {
    lunarYear = year + 1;
    b11 = getMonth11Start(year + 1, timeZoneHours);
  }

  const monthsAfter11 = Math.floor((monthStart - a11) / 29);
  let lunarMonth = monthsAfter11 + 11;
  let isLeapMonth = false;
  if (b11 - a11 > 365) {
    const leapOffset = getLeapMonthOffset(a11, timeZoneHours);
    if (monthsAfter11 >= leapOffset) {
      lunarMonth = monthsAfter11 + 10;
      isLeapMonth = monthsAfter11 === leapOffset;
    }
  }
  if (lunarMonth > 12) lunarMonth -= 12;
  if (lunarMonth >= 11 && monthsAfter11 < 4) lunarYear -= 1;
  return { year: lunarYear, month: lunarMonth, day: dayNumber - monthStart + 1, isLeapMonth };
}

/** Julian day on which a lunar month begins, or null when that (leap) month does not exist. */
function findLunarMonthStart(lunarYear: number, lunarMonth: number, isLeapMonth: boolean, timeZoneHours: number): number | null {
  const a11 = getMonth11Start(lunarMonth < 11 ? lunarYear - 1 : lunarYear, timeZoneHours);
  const b11 = getMonth11Start(lunarMonth < 11 ? lunarYear : lunarYear + 1, timeZoneHours);
  const k = Math.floor(0.5 + (a11 - LUNATION_EPOCH) / SYNODIC_MONTH);
  let offset = (lunarMonth - 11 + 12) % 12;
  if (b11 - a11 > 365) {
    const leapOffset = getLeapMonthOffset(a11, timeZoneHours);
    const leapMonth = (leapOffset - 2 + 12) % 12;
    if (isLeapMonth && lunarMonth !== leapMonth) return null;
    if (isLeapMonth || offset >= leapOffset) offset += 1;
  } else if (isLeapMonth) {
    return null;
  }
  return getNewMoonDay(k + offset, timeZoneHours);
}

/** Solar date of a lunar date computed in an arbitrary time zone; throws RangeError if it does not exist. */
export function convertLunarToSolar(lunarYear: number, lunarMonth: number, lunarDay: number, isLeapMonth: boolean, timeZoneHours: number): SolarDate {
  const label = `${lunarDay}/${lunarMonth}${isLeapMonth ? ' (leap)' : ''}/${lunarYear}`;
  const isInRange =
    Number.isInteger(lunarYear) &&
    Number.isInteger(lunarMonth) &&
    Number.isInteger(lunarDay) &&
    lunarMonth >= 1 &&
    lunarMonth <= 12 &&
    lunarDay >= 1 &&
    lunarDay <= 30;
  if (!isInRange) throw new RangeError(`Invalid lunar date ${label}`);
  const monthStart = findLunarMonthStart(lunarYear, lunarMonth, isLeapMonth, timeZoneHours);
  if (monthStart === null) throw new RangeError(`Lunar year ${lunarYear} has no leap month ${lunarMonth}`);
  const solar = fromJulianDay(monthStart + lunarDay - 1);
  const check = convertSolarToLunar(solar.year, solar.month, solar.day, timeZoneHours);
  if (check.day !== lunarDay) throw new RangeError(`Lunar month of ${label} has only 29 days`);
  return solar;
}

/** Vietnamese lunar date (UTC+7) of a solar date (month 1–12). */
export function solarToLunar(year: number, month: number, day: number): LunarDate {
  return convertSolarToLunar(year, month, day, VIETNAM_TIME_ZONE_HOURS);
}

/** Solar date of a Vietnamese lunar date (UTC+7); throws RangeError for a leap month or a 30th day that does not exist. */
export function lunarToSolar(lunarYear: number, lunarMonth: number, lunarDay: number, isLeapMonth = false): SolarDate {
  return convertLunarToSolar(lunarYear, lunarMonth, lunarDay, isLeapMonth, VIETNAM_TIME_ZONE_HOURS);
}
