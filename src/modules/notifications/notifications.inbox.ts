/**
 * The signed-in person's in-app notifications (the inbox): listed newest first, counted while
 * unread, marked read one by one or all at once. Used by the portal's `/thong-bao` page and its
 * header link. Every query is by `user_id`, so it uses `notifications_user_idx (user_id, created_at DESC)`.
 */
import { queryRows, sql, type Db } from '../../db/client.ts';

export interface InboxItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
  dossierId: string | null;
  dossierCode: string | null;
  /** The person is the dossier's applicant (their link is the citizen's page, else the officers'). */
  isApplicant: boolean;
}

export interface InboxPage {
  items: InboxItem[];
  total: number;
  unread: number;
}

/** Unread counts above this are shown as "99+": counting stops there, so a long-ignored inbox costs no more. */
export const UNREAD_COUNT_CAP = 99;

/** One page of the person's notifications, newest first, with the total and the unread count (one statement). */
export async function listInbox(db: Db, userId: string, page: number, pageSize: number): Promise<InboxPage> {
  const rows = await queryRows<{
    id: string;
    kind: string;
    title: string;
    body: string;
    created_at: Date | string;
    read_at: Date | string | null;
    dossier_id: string | null;
    code: string | null;
    is_applicant: boolean | null;
    total: number | string;
    unread: number | string;
  }>(
    db,
    sql`WITH counts AS (
          SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM notifications WHERE user_id = ${userId}
        )
        SELECT n.id, n.kind, n.title, n.body, n.created_at, n.read_at, n.dossier_id, d.code,
               d.applicant_user_id = ${userId} AS is_applicant, c.total, c.unread
        FROM counts c
        LEFT JOIN LATERAL (
          SELECT * FROM notifications WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}
        ) n ON true
        LEFT JOIN dossiers d ON d.id = n.dossier_id
        ORDER BY n.created_at DESC, n.id DESC`,
  );
  const first = rows[0];
  const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  return {
    total: Number(first?.total ?? 0),
    unread: Number(first?.unread ?? 0),
    items: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        createdAt: date(r.created_at),
        readAt: r.read_at === null ? null : date(r.read_at),
        dossierId: r.dossier_id,
        dossierCode: r.code,
        isApplicant: r.is_applicant === true,
      })),
  };
}

/** How many notifications the person has not read, counted up to UNREAD_COUNT_CAP + 1. */
export async function countUnread(db: Db, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM notifications WHERE user_id = ${userId} AND read_at IS NULL LIMIT ${UNREAD_COUNT_CAP + 1}) u`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Marks one of the person's notifications read (once: an earlier reading time is kept) and
 * returns it with its dossier, or null when it is not theirs or does not exist.
 */
export async function markInboxItemRead(
  db: Db,
  userId: string,
  id: string,
  now: Date,
): Promise<Pick<InboxItem, 'dossierId' | 'dossierCode' | 'isApplicant'> | null> {
  const [row] = await queryRows<{ dossier_id: string | null; code: string | null; is_applicant: boolean | null }>(
    db,
    sql`WITH n AS (
          UPDATE notifications SET read_at = COALESCE(read_at, ${now}) WHERE id = ${id} AND user_id = ${userId} RETURNING dossier_id
        )
        SELECT n.dossier_id, d.code, d.applicant_user_id = ${userId} AS is_applicant FROM n LEFT JOIN dossiers d ON d.id = n.dossier_id`,
  );
  return row ? { dossierId: row.dossier_id, dossierCode: row.code, isApplicant: row.is_applicant === true } : null;
}

/** Marks every unread notification of the person read; returns how many. */
export async function markAllInboxRead(db: Db, userId: string, now: Date): Promise<number> {
  const rows = await queryRows<{ id: string }>(db, sql`UPDATE notifications SET read_at = ${now} WHERE user_id = ${userId} AND read_at IS NULL RETURNING id`);
  return rows.length;
}
