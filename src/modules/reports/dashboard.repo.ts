/**
 * What the leaders' dashboard reads besides the index itself: the monthly trend and the deadline
 * lists. Both come from the service-index module's public API (its daily roll-up and its facts),
 * never from its tables directly.
 */
import type { Db } from '../../db/client.ts';
import { monthlyCounts as indexMonthlyCounts, openDeadlineLists, type MonthCounts, type OpenDossierItem } from '../service-index/index.ts';
import type { Period } from './period.ts';
import type { ReportUnit } from './reports.repo.ts';

export type MonthRow = MonthCounts;
export type DeadlineItem = OpenDossierItem;

/**
 * Per Vietnamese calendar month of the span: dossiers received, and dossiers resolved (done or
 * returned) with how many of them on time (the progress rule: by the deadline without the
 * extension, and at most one supplement request).
 */
export function monthlyCounts(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, span: Period): Promise<MonthRow[]> {
  return indexMonthlyCounts(db, { agencyIds: unit.agencyIds, from: span.from, to: span.to });
}

/**
 * Open dossiers past their due date now (a dossier waiting for a supplement is judged at its
 * pause), and those due from now until `soonUntil` whose clock is running.
 */
export function deadlineLists(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, now: Date, soonUntil: Date, limit: number) {
  return openDeadlineLists(db, { agencyIds: unit.agencyIds, now, soonUntil, limit });
}
