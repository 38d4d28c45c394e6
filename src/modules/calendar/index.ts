/** The calendar module's public surface: the only file other modules import. */
export { lunarToSolar, solarToLunar } from './lunar.ts';
export type { LunarDate, SolarDate } from './lunar.ts';
export {
  WorkingCalendar,
  computeYearCalendar,
  createYearCalendarProvider,
  findOverrideProblems,
  findReplacedHolidayGroups,
  isWorkingDay,
  toWorkingCalendar,
} from './holidays.ts';
export type { CalendarOverrides, DayOff, DayOffSource, HolidayGroup, NamedDate, YearCalendar, YearCalendarProvider } from './holidays.ts';
export {
  DEFAULT_OFFICE_HOURS,
  closeOfOffice,
  computeDueAt,
  isWorkingTime,
  nextWorkingClose,
  legalDuration,
  moveCalendarDueAt,
  stepDeadlines,
  workingDaysBetween,
  workingMinutesBetween,
} from './due-date.ts';
export type { CalendarSource, DueAtInput, DurationUnit, OfficeHours, OfficePeriod, Pause } from './due-date.ts';
export { calendarRoutes } from './calendar.routes.ts';
export {
  clearCalendarCache,
  computeDueDate,
  getYearCalendar,
  loadClock,
  loadWorkingCalendar,
  replaceCalendarOverrides,
  type Clock,
} from './calendar.service.ts';
