import { queryNamed, sql, type Db } from '../../db/client.ts';
import { groupRunnerFor } from '../../db/group-commit.ts';

/**
 * Issuing dossier codes, fast and gap-free.
 *
 * A code's daily number comes from one counter row per receiving agency and day, incremented in
 * the transaction that submits the dossier, so a number is used exactly when a submission
 * commits (gap-free, never reused). That row is hot: every submission to the provincial centre
 * on one day queues on it, and each holds it until its commit reaches the disk. One commit at a
 * time caps a centre at a few hundred submissions a second on ordinary disks.
 *
 * So submissions are committed in groups (src/db/group-commit.ts), each group ONE statement
 * (hence one plan, one lock on the counter row and one disk flush for many submissions): it locks the drafts that are still exactly as
 * they were validated, takes a block of numbers, and writes dossiers, history, audit, outgoing
 * jobs and idempotency keys. A draft that changed since it was validated is left alone and its
 * caller validates again. Drafts and counter rows are locked in (agency, day, id) order, so
 * groups from several instances cannot deadlock.
 */
export interface SubmitItem {
  dossierId: string;
  expectedVersion: number;
  agencyId: string;
  /** Vietnamese calendar date of the submission (YYYY-MM-DD). */
  day: string;
  /** The code is codeBefore + the 4-digit daily number + codeAfter. */
  codeBefore: string;
  codeAfter: string;
  /** Folded search text of the applicant, to which the code is prepended. */
  searchRest: string;
  actorId: string;
  actorRole: string;
  ip: string | null;
  at: Date;
  idempotency: { userId: string; key: string; requestHash: string } | null;
}

/**
 * The CTEs `cnt`, `c` and `n` that number the rows of the CTE `from` (which has agency_id, day and
 * ord): a block of numbers per agency and day taken from the counter rows (locked in (agency, day)
 * order), and `n` = from's rows with their `seq`, in arrival order.
 */
export function numberingCtes(from: 'd' | 'ok') {
  const f = sql.raw(from);
  return sql`cnt AS (
      SELECT agency_id, day, count(*)::int AS n FROM ${f} GROUP BY agency_id, day
    ), c AS (
      INSERT INTO dossier_code_counters (agency_id, day, last_seq)
      SELECT agency_id, day, n FROM cnt ORDER BY agency_id, day
      ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = dossier_code_counters.last_seq + EXCLUDED.last_seq
      RETURNING agency_id, day, last_seq
    ), n AS (
      SELECT ${f}.*, c.last_seq - cnt.n + row_number() OVER (PARTITION BY ${f}.agency_id, ${f}.day ORDER BY ${f}.ord) AS seq
      FROM ${f} JOIN c ON c.agency_id = ${f}.agency_id AND c.day = ${f}.day JOIN cnt ON cnt.agency_id = ${f}.agency_id AND cnt.day = ${f}.day
    )`;
}

/** The daily number `n.seq` as the code writes it: at least 4 digits. */
export const SEQ4 = sql`(CASE WHEN length(n.seq::text) >= 4 THEN n.seq::text ELSE lpad(n.seq::text, 4, '0') END)`;

/**
 * One statement for a whole group: lock the still-unchanged drafts (in a fixed order), take a
 * block of numbers per agency and day from the counter, number the drafts in arrival order,
 * and write the dossiers, history, audit, outgoing jobs and idempotency keys. Returns the
 * dossiers that were submitted, with their codes.
 */
function groupStatement(items: SubmitItem[]) {
  const seq = SEQ4;
  return sql`
    WITH items AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(
        items.map((i, ord) => ({
          id: i.dossierId,
          expected_version: i.expectedVersion,
          agency_id: i.agencyId,
          day: i.day,
          before: i.codeBefore,
          after: i.codeAfter,
          rest: i.searchRest,
          actor_id: i.actorId,
          actor_role: i.actorRole,
          ip: i.ip,
          at: i.at.toISOString(),
          idem_user: i.idempotency?.userId ?? null,
          idem_key: i.idempotency?.key ?? null,
          idem_hash: i.idempotency?.requestHash ?? null,
          ord,
        })),
      )}::jsonb) AS t(id uuid, expected_version int, agency_id uuid, day date, before text, after text, rest text, actor_id uuid,
                      actor_role text, ip text, at timestamptz, idem_user uuid, idem_key text, idem_hash text, ord int)
    ), d AS (
      SELECT i.* FROM items i JOIN dossiers x ON x.id = i.id
      WHERE x.status = 'draft' AND x.version = i.expected_version
      ORDER BY i.agency_id, i.day, i.id
      FOR UPDATE OF x
    ), k AS (
      -- Claim the idempotency keys first (in a fixed order): a draft whose key another submission
      -- already holds is not submitted, and its caller answers as that key's first use did.
      INSERT INTO idempotency_keys (user_id, key, scope, request_hash, resource_id, created_at)
      SELECT idem_user, idem_key, 'dossier.submit', idem_hash, id, at FROM d WHERE idem_key IS NOT NULL ORDER BY idem_user, idem_key
      ON CONFLICT DO NOTHING RETURNING resource_id
    ), ok AS (
      SELECT * FROM d WHERE idem_key IS NULL OR id IN (SELECT resource_id FROM k)
    ), ${numberingCtes('ok')}, u AS (
      UPDATE dossiers SET code = n.before || ${seq} || n.after, status = 'submitted', submitted_at = n.at,
        search_text = lower(n.before || ${seq} || n.after) || ' ' || n.rest, version = dossiers.version + 1, updated_at = n.at
      FROM n WHERE dossiers.id = n.id
      RETURNING dossiers.id, dossiers.code, n.actor_id, n.actor_role, n.ip, n.at
    ), h AS (
      INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status, data)
      SELECT u.id, u.at, 'submit', u.actor_id, u.actor_role, 'draft', 'submitted', jsonb_build_object('code', u.code) FROM u
    ), a AS (
      INSERT INTO audit_log (at, actor_id, actor_role, action, target_type, target_id, ip, outcome, details)
      SELECT u.at, u.actor_id, u.actor_role, 'dossier.submit', 'dossier', u.id::text, u.ip, 'success',
             jsonb_build_object('from', 'draft', 'to', 'submitted', 'code', u.code) FROM u
    ), j AS (
      INSERT INTO jobs (type, payload, run_at, created_at)
      SELECT 'dossier.status_changed', jsonb_build_object('dossierId', u.id, 'action', 'submit', 'from', 'draft', 'to', 'submitted'), u.at, u.at FROM u
    )
    SELECT id, code FROM u`;
}

/** Submits a group in one statement; the result maps each item to its code, or null when its draft changed or its key was taken. */
async function runGroup(db: Db, items: SubmitItem[]): Promise<(string | null)[]> {
  // A dossier twice in one group (a double click): only the first may win; the other retries.
  const first = new Map<string, number>();
  items.forEach((it, idx) => {
    if (!first.has(it.dossierId)) first.set(it.dossierId, idx);
  });
  const unique = [...first.values()].map((idx) => items[idx]!);
  const rows = await queryNamed<{ id: string; code: string }>(db, 'dossier_submit_group', groupStatement(unique));
  const codes = new Map(rows.map((r) => [r.id, r.code]));
  return items.map((it, idx) => (first.get(it.dossierId) === idx ? (codes.get(it.dossierId) ?? null) : null));
}

/** Submits one validated draft with the next group; resolves to its code, or null when the draft changed meanwhile. */
export function submitInGroup(db: Db, item: SubmitItem): Promise<string | null> {
  return groupRunnerFor(db, 'dossier.submit', runGroup).add(item);
}
