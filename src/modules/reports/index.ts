/** The reports module's public surface: the only file other modules import. */
export { reportRoutes } from './reports.routes.ts';
export {
  dossierRegister,
  handlingReport,
  readableUnits,
  registerReport,
  requirePeriod,
  requireReportReader,
  resolveUnit,
  auditExport,
  REGISTER_MAX_ROWS,
  type RegisterReport,
  type ReportQuery,
} from './reports.service.ts';
export type { RegisterOutcome, RegisterRow, ReportUnit } from './reports.repo.ts';
export {
  COUNT_COLUMNS,
  COUNT_KEYS,
  GROUP_HEADERS,
  imbalance,
  type CountKey,
  type HandlingCounts,
  type HandlingReport,
  type HandlingRow,
} from './handling-report.ts';
export { addDays, checkPeriod, formatDay, monthToDate, periodDays, periodOf, previousPeriod, type Period, type PeriodProblem } from './period.ts';
export { handlingCsv } from './exports.ts';
export { handlingWorkbook, registerWorkbook, CHANNEL_LABELS, OUTCOME_LABELS, STATUS_LABELS } from './xlsx.ts';
export {
  leaderDashboard,
  requireDashboardReader,
  weakestIndicators,
  DEADLINE_LIST_SIZE,
  DUE_SOON_WORKING_DAYS,
  type DashboardData,
  type WeakIndicator,
} from './dashboard.service.ts';
export type { DeadlineItem } from './dashboard.repo.ts';
export type { TrendMonth } from './trend.ts';
