import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { dossiers, notifications } from '../../db/schema.ts';
import type { JobHandler } from '../../platform/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { formatVnDateTime } from '../../platform/time.ts';
import { STATUS_NAMES_VI, type DossierStatus } from '../dossiers/dossier-workflow.ts';

/** What the applicant is told after each change (Vietnamese; email and SMS come with issue 5). */
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

/** dossier.status_changed → an in-app notification for the applicant's account (once per change). */
export const notifyApplicant: JobHandler = async (job, db: Db) => {
  const { dossierId, action, to } = job.payload as { dossierId: string; action: string; to: DossierStatus };
  const [d] = await db.select({ code: dossiers.code, applicantUserId: dossiers.applicantUserId, dueAt: dossiers.dueAt }).from(dossiers).where(eq(dossiers.id, dossierId));
  if (!d?.applicantUserId || !d.code) return;
  const m = messageFor(action, to, d.code, d.dueAt);
  if (!m) return;
  await db
    .insert(notifications)
    .values({ id: newId(), userId: d.applicantUserId, dossierId, kind: action, title: m.title, body: m.body, createdAt: new Date(), dedupeKey: `job:${job.id}` })
    .onConflictDoNothing();
};

export const notificationJobHandlers = { 'dossier.status_changed': notifyApplicant };
