/**
 * The service index module's public surface (Decision 766, docs/SERVICE_INDEX.md): the only file
 * other modules import. The functions take a database handle and do no authorization (callers
 * check it, e.g. with `authorizeUnitCode`); dates are 'YYYY-MM-DD' Vietnamese calendar days,
 * inclusive.
 */
export {
  authorizeRanking,
  authorizeUnitCode,
  computeServiceIndex,
  configFor,
  indexDueOf,
  indicatorDossiers,
  monthlyCounts,
  openDeadlineLists,
  rankUnits,
  resolveUnit,
} from './service-index.service.ts';
export type {
  ConfigVersion,
  ExplainedItem,
  IndexResult,
  IndicatorDossiersResult,
  MonthCounts,
  OpenDossierItem,
  OpenDossierList,
  RankedUnit,
  RankingResult,
  ResolvedUnit,
  UnitKind,
} from './service-index.service.ts';
export { GROUP_KEYS, GROUP_NAMES, INDICATORS, INDICATOR_KEYS, DEFAULT_CONFIG } from './index-rules.ts';
export type { GroupKey, GroupResult, IndexConfig, IndicatorKey, IndicatorResult } from './index-rules.ts';
export { serviceIndexRoutes } from './service-index.routes.ts';
