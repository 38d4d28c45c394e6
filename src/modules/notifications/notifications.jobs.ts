import { queryRows, sql, type Db } from '../../db/client.ts';
import { notifications } from '../../db/schema.ts';
import { deleteInBatches } from '../../platform/housekeeping.ts';
import type { BatchJobHandler, JobHandler, JobHandlers, JobRow } from '../../platform/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { formatVnDateTime, vnDate } from '../../platform/time.ts';
import { computeDueAt, loadClock } from '../calendar/index.ts';
import { STATUS_NAMES_VI, type DossierStatus } from '../dossiers/dossier-workflow.ts';
import { DELIVER_JOB, deliverNotification, fanOutDeliveries, loadChanges, sendsMessages, type DeliveryDeps } from './notifications.deliveries.ts';

/** What the applicant is told in the app after each change (email and SMS: notifications.templates.ts). */
function messageFor(action: string, to: DossierStatus, code: string, dueAt: Date | null): { title: string; body: string } | null {
  const due = dueAt ? ` Ngày hẹn trả kết quả: ${formatVnDateTime(dueAt)}.` : '';
  switch (action) {
    case 'submit':
      return { title: `Đã nộp hồ sơ ${code}`, body: `Hồ sơ ${code} đã được gửi đến cơ quan tiếp nhận.` };
    case 'receive':
      return { title: `Hồ sơ ${code} đã được tiếp nhận`, body: `Hồ sơ ${code} đã được tiếp nhận.${due}` };
    case 'request_supplement':
      return { title: `Hồ sơ ${code} cần bổ sung`, body: `Cơ quan yêu cầu bổ sung giấy tờ cho hồ sơ ${code}. Vui lòng xem chi tiết và bổ sung.` };
    case 'request_payment':
      return { title: `Hồ sơ ${code}: yêu cầu nộp phí, lệ phí`, body: `Vui lòng thực hiện nghĩa vụ tài chính cho hồ sơ ${code}.` };
    case 'extend':
      return { title: `Hồ sơ ${code}: thư xin lỗi và hẹn lại`, body: `Cơ quan xin lỗi vì hồ sơ ${code} chưa có kết quả đúng hẹn.${due}` };
    case 'refuse':
    case 'stop':
    case 'return_result':
    case 'approve':
      return { title: `Hồ sơ ${code}: ${STATUS_NAMES_VI[to]}`, body: `Trạng thái mới của hồ sơ ${code}: ${STATUS_NAMES_VI[to]}.` };
    default:
      return null;
  }
}

/**
 * dossier.status_changed, for a batch of changes in queue order: one read of their dossiers
 * (loadChanges), then one insert of the applicants' in-app notifications (once per change: the
 * job id is the dedupe key), then the email and SMS fan-out (one statement). Four round trips per
 * change become three per batch.
 */
function statusChanged(deps: DeliveryDeps): BatchJobHandler {
  const many = async (jobs: JobRow[], db: Db) => {
    const rows = await loadChanges(db, jobs, { recipients: sendsMessages(deps) });
    const now = new Date();
    const inApp = rows.flatMap((d) => {
      const m =
        d.applicant_user_id && d.code ? messageFor(d.action, d.to_status as DossierStatus, d.code, d.due_at === null ? null : new Date(d.due_at)) : null;
      // One batch shares created_at; newId is monotonic within a process, and readers break ties by id (newest first).
      return m
        ? [
            {
              id: newId(),
              userId: d.applicant_user_id!,
              dossierId: d.id,
              kind: d.action,
              title: m.title,
              body: m.body,
              createdAt: now,
              dedupeKey: `job:${jobs[d.ord]!.id}`,
            },
          ]
        : [];
    });
    if (inApp.length) await db.insert(notifications).values(inApp).onConflictDoNothing();
    await fanOutDeliveries(db, jobs, rows, deps);
  };
  return { many, one: (job, db) => many([job], db) };
}

/**
 * dossier.deadline_scan (hourly): tells whoever holds an open dossier that it is due by the end of
 * the next working day, or overdue: the assignee, or the desk officers (active accounts) of the
 * receiving centre when nobody is assigned. Once per dossier, kind, person and day (the dedupe key).
 * One read finds the dossiers and their recipients, and the notifications go in by 500s: with
 * thousands of late dossiers the scan holds the database for a few statements, not thousands.
 */
export const scanDeadlines: JobHandler = async (_job, db: Db) => {
  const now = new Date();
  const clock = await loadClock(db);
  const soon = computeDueAt({ start: now, value: 1, unit: 'working_days', calendar: clock.calendar, officeHours: clock.officeHours });
  const rows = await queryRows<{ id: string; code: string; due_at: Date | string; user_id: string }>(
    db,
    sql`SELECT d.id, d.code, d.due_at, coalesce(d.assignee_id, r.user_id) AS user_id
        FROM (SELECT id, code, due_at, assignee_id, receiving_agency_id FROM dossiers
              WHERE status IN ('received', 'in_progress', 'payment_requested') AND paused_at IS NULL AND due_at <= ${soon}
              ORDER BY due_at, id LIMIT 5000) d
        LEFT JOIN LATERAL (
          SELECT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id AND u.is_active
          WHERE d.assignee_id IS NULL AND ur.role = 'reception' AND ur.agency_id = d.receiving_agency_id
        ) r ON true
        WHERE coalesce(d.assignee_id, r.user_id) IS NOT NULL
        ORDER BY d.due_at, d.id, user_id`,
  );
  const day = vnDate(now);
  const values = rows.map((r) => {
    const dueAt = new Date(r.due_at);
    const overdue = dueAt.getTime() < now.getTime();
    const kind = overdue ? 'deadline_overdue' : 'deadline_soon';
    return {
      id: newId(),
      userId: r.user_id,
      dossierId: r.id,
      kind,
      title: overdue ? `Hồ sơ ${r.code} đã quá hạn` : `Hồ sơ ${r.code} sắp đến hạn`,
      body: overdue
        ? `Hồ sơ ${r.code} đã quá hạn trả kết quả (${formatVnDateTime(dueAt)}). Cần xử lý ngay hoặc xin gia hạn kèm thư xin lỗi.`
        : `Hồ sơ ${r.code} phải có kết quả trước ${formatVnDateTime(dueAt)}.`,
      createdAt: now,
      dedupeKey: `${kind}:${r.id}:${r.user_id}:${day}`,
    };
  });
  for (let i = 0; i < values.length; i += 500)
    await db
      .insert(notifications)
      .values(values.slice(i, i + 500))
      .onConflictDoNothing();
};

/**
 * How long in-app notifications are kept: a read one for `readDays` after it was written; a
 * deadline reminder (`deadline_soon`, `deadline_overdue`: about one day, and written again the
 * next day while the dossier is still late) for `deadlineDays`, read or not. An unread notification
 * of another kind stays until it is read. Without this, an officer collects one reminder per late
 * dossier per day, for good.
 */
export const NOTIFICATION_RETENTION = { readDays: 180, deadlineDays: 30 } as const;
const DAY_MS = 86_400_000;

/** Deletes in-app notifications past their retention (NOTIFICATION_RETENTION); returns how many. */
export async function pruneNotifications(
  db: Db,
  now: Date = new Date(),
  retention: { readDays: number; deadlineDays: number } = NOTIFICATION_RETENTION,
): Promise<number> {
  const readBefore = new Date(now.getTime() - retention.readDays * DAY_MS);
  const deadlineBefore = new Date(now.getTime() - retention.deadlineDays * DAY_MS);
  return deleteInBatches(
    db,
    (limit) => sql`DELETE FROM notifications WHERE id IN (
      SELECT id FROM notifications
      WHERE (read_at IS NOT NULL AND created_at < ${readBefore}) OR (kind IN ('deadline_soon', 'deadline_overdue') AND created_at < ${deadlineBefore})
      LIMIT ${limit})
      RETURNING 1`,
  );
}

/**
 * The job handlers of this module. `dossier.status_changed` writes the in-app notification and
 * fans out to the configured email and SMS channels; `notification.deliver` sends one message.
 */
export function notificationHandlers(deps: DeliveryDeps): JobHandlers {
  if ((deps.channels.email || deps.channels.sms) && !deps.keyring) throw new Error('notification channels need a keyring to encrypt recipients');
  return {
    'dossier.status_changed': statusChanged(deps),
    'dossier.deadline_scan': scanDeadlines,
    'notification.prune': async (_job, db) => {
      await pruneNotifications(db);
    },
    [DELIVER_JOB]: (job, db) => deliverNotification(job, db, deps),
  };
}

/** In-app notifications and the deadline scan only (no email or SMS channel configured). */
export const notificationJobHandlers = notificationHandlers({ channels: {}, maxAttempts: 1, keyring: null });

/** Periodic jobs of this module. */
export const notificationSchedules = [
  { type: 'dossier.deadline_scan', everyMs: 3_600_000 },
  { type: 'notification.prune', everyMs: 86_400_000 },
];
