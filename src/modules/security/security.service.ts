import { queryRows, sql, type Db } from '../../db/client.ts';
import { toIso } from '../../platform/time.ts';
import { SEVERITIES, type Severity } from './rules.ts';
import type { EventsQuery, SecurityEventView } from './security.schemas.ts';

interface EventRow {
  id: string;
  rule: string;
  severity: Severity;
  at: Date | string;
  detected_at: Date | string;
  actor_id: string | null;
  ip: string | null;
  subject: string | null;
  summary: string;
  details: Record<string, unknown> | string;
  audit_seq: number | string | null;
}

/** Security events, newest first: at least `severity`, at or after `from`, of one `rule`. */
export async function listSecurityEvents(db: Db, q: Partial<EventsQuery>): Promise<SecurityEventView[]> {
  const conds = [sql`true`];
  if (q.severity) {
    const atLeast = SEVERITIES.slice(SEVERITIES.indexOf(q.severity));
    conds.push(
      sql`severity IN (${sql.join(
        atLeast.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  }
  if (q.from) conds.push(sql`at >= ${new Date(q.from)}`);
  if (q.rule) conds.push(sql`rule = ${q.rule}`);
  const rows = await queryRows<EventRow>(
    db,
    sql`SELECT id, rule, severity, at, detected_at, actor_id, ip, subject, summary, details, audit_seq
        FROM security_events WHERE ${sql.join(conds, sql` AND `)} ORDER BY at DESC, id DESC LIMIT ${q.limit ?? 100}`,
  );
  return rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    at: toIso(new Date(r.at)),
    detectedAt: toIso(new Date(r.detected_at)),
    actorId: r.actor_id,
    ip: r.ip,
    subject: r.subject,
    summary: r.summary,
    details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
    auditSeq: r.audit_seq === null ? null : Number(r.audit_seq),
  }));
}
