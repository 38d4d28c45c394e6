import type { FastifyBaseLogger } from 'fastify';
import { queryRows, sql, type Db } from '../../db/client.ts';
import { checkLinks, GENESIS_HASH, readChain, verifyAuditChain, type ChainRecord, type ChainVerification } from '../../platform/audit.ts';
import { newId } from '../../platform/ids.ts';
import type { JobHandler } from '../../platform/jobs.ts';
import { formatVnDateTime, vnDate } from '../../platform/time.ts';
import { loadClock } from '../calendar/index.ts';
import { PAYMENT_SYSTEM_USER_ID } from '../payments/payment-requests.ts';
import {
  bucketOf,
  firstBreach,
  isDossierRead,
  isExport,
  isLoginFailure,
  isOutsideOfficeHours,
  isRoleChange,
  LOGIN_WINDOW_MS,
  loginAccount,
  READ_WINDOW_MS,
  rolesIn,
  severityRank,
  type AuditFact,
  type RuleName,
  type Severity,
} from './rules.ts';

/**
 * The security monitor: every minute (a periodic job, one instance runs it) it reads the audit
 * records after its watermark, checks that they continue the hash chain from the last record it
 * saw, and evaluates the rules (rules.ts). Events are keyed (dedupe_key), so a run that is
 * repeated after a crash raises nothing twice; events, notifications and the new watermark are
 * written in one transaction. Each new event is also written as one JSON line on the `security`
 * logger (for a SIEM), with the chain head as an anchor kept outside the database.
 */
export interface MonitorConfig {
  loginFailures: number;
  accountsPerAddress: number;
  readsPerHour: number;
}

export interface NewEvent {
  rule: RuleName;
  severity: Severity;
  at: Date;
  actorId?: string | null;
  ip?: string | null;
  subject?: string | null;
  summary: string;
  details?: Record<string, unknown>;
  auditSeq?: number | null;
  dedupeKey: string;
}

const STATE = 'audit';
const FIRST_RUN_LOOKBACK_MS = 3_600_000;
const BATCH = 2000;
const MAX_BATCHES = 10;
const STAFF_ROLES = new Set(['reception', 'specialist', 'leader', 'admin', 'security']);
const PRIVILEGED_ROLES = new Set(['admin', 'security']);

/** An audit record as the rules read it. */
export const factOf = (r: ChainRecord): AuditFact => ({
  seq: r.seq,
  at: new Date(r.at),
  actorId: r.actor_id,
  actorRole: r.actor_role,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ip: r.ip,
  outcome: r.outcome,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

/** The security log: one JSON line per event, ready for a SIEM (redaction as in app.ts). */
export const securityLogger = (log: FastifyBaseLogger) => log.child({ logger: 'security' });

/**
 * Records events (once per dedupe key) and notifies security officers (administrators when the
 * province has none) of those rated medium or above. Returns the events that were new.
 */
export async function raiseEvents(db: Db, now: Date, events: NewEvent[]): Promise<(NewEvent & { id: string })[]> {
  const fresh: (NewEvent & { id: string })[] = [];
  for (const e of events) {
    const id = newId(now.getTime());
    const rows = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO security_events (id, rule, severity, at, detected_at, actor_id, ip, subject, summary, details, audit_seq, dedupe_key)
          VALUES (${id}, ${e.rule}, ${e.severity}, ${e.at}, ${now}, ${e.actorId ?? null}, ${e.ip ?? null}, ${e.subject ?? null}, ${e.summary},
                  ${JSON.stringify(e.details ?? {})}::jsonb, ${e.auditSeq ?? null}, ${e.dedupeKey})
          ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    );
    if (rows.length) fresh.push({ ...e, id });
  }
  const notify = fresh.filter((e) => severityRank(e.severity) >= severityRank('medium'));
  if (notify.length) {
    let officers = await queryRows<{ user_id: string }>(
      db,
      sql`SELECT DISTINCT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'security' AND u.is_active`,
    );
    if (!officers.length) {
      officers = await queryRows<{ user_id: string }>(
        db,
        sql`SELECT DISTINCT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.is_active`,
      );
    }
    for (const e of notify) {
      for (const o of officers) {
        await db.execute(
          sql`INSERT INTO notifications (id, user_id, kind, title, body, created_at, dedupe_key)
              VALUES (${newId(now.getTime())}, ${o.user_id}, 'security_event', ${`Sự kiện an ninh (${SEVERITY_VI[e.severity]}): ${RULE_VI[e.rule]}`},
                      ${`${e.summary} Lúc ${formatVnDateTime(e.at)}. Xem tại trang An ninh.`}, ${now}, ${`security:${e.id}:${o.user_id}`})
              ON CONFLICT (dedupe_key) DO NOTHING`,
        );
      }
    }
  }
  return fresh;
}

export const SEVERITY_VI: Record<Severity, string> = { low: 'thấp', medium: 'trung bình', high: 'cao', critical: 'nghiêm trọng' };
export const RULE_VI: Record<RuleName, string> = {
  'auth.password_guessing': 'dò mật khẩu một tài khoản',
  'auth.address_many_accounts': 'một địa chỉ thử nhiều tài khoản',
  'staff.mass_read': 'cán bộ xem số lượng hồ sơ bất thường',
  'staff.export': 'cán bộ xuất dữ liệu cá nhân',
  'staff.off_hours': 'hoạt động ngoài giờ hành chính',
  'admin.role_change': 'thay đổi vai trò, quyền',
  'audit.chain_broken': 'chuỗi nhật ký kiểm toán bị phá vỡ',
};

/** Writes the security log line of each event (after commit). */
export function logEvents(log: FastifyBaseLogger, events: (NewEvent & { id: string })[]): void {
  const sec = securityLogger(log);
  for (const e of events) {
    const line = {
      event: 'security_event',
      id: e.id,
      rule: e.rule,
      severity: e.severity,
      at: e.at.toISOString(),
      actorId: e.actorId ?? null,
      ip: e.ip ?? null,
      subject: e.subject ?? null,
      auditSeq: e.auditSeq ?? null,
      summary: e.summary,
    };
    if (e.severity === 'critical' || e.severity === 'high') sec.warn(line, e.summary);
    else sec.info(line, e.summary);
  }
}

/** The chain-broken event for a verification that failed (from the monitor, the API, the CLI or the daily job). */
export function chainBrokenEvent(v: ChainVerification, now: Date, source: string): NewEvent {
  return {
    rule: 'audit.chain_broken',
    severity: 'critical',
    at: now,
    subject: String(v.firstBrokenId ?? ''),
    summary: `Chuỗi nhật ký kiểm toán bị phá vỡ tại bản ghi ${v.firstBrokenId ?? '?'} (${v.reason ?? 'không rõ'}).`,
    details: { source, firstBrokenId: v.firstBrokenId ?? null, reason: v.reason ?? null, records: v.records },
    dedupeKey: `audit.chain_broken:${v.firstBrokenId ?? 'unknown'}:${v.reason ?? ''}`,
  };
}

/** Full verification that also raises (and logs) the critical event when the chain is broken. */
export async function verifyAndReport(db: Db, log: FastifyBaseLogger, source: string, now = new Date()): Promise<ChainVerification> {
  const v = await verifyAuditChain(db);
  const sec = securityLogger(log);
  if (!v.ok) logEvents(log, await raiseEvents(db, now, [chainBrokenEvent(v, now, source)]));
  else sec.info({ event: 'audit_chain_verified', records: v.records, head: v.head ?? null, source }, 'audit chain verified');
  return v;
}

interface Window {
  from: Date;
  to: Date;
}

async function loginFailuresInWindow(db: Db, w: Window, where: ReturnType<typeof sql>) {
  return queryRows<{ seq: number; t: number; account: string | null; ip: string | null }>(
    db,
    sql`SELECT seq, (extract(epoch FROM at) * 1000)::float8 AS t, coalesce(details->>'username', target_id) AS account, ip
        FROM audit_log
        WHERE (action = 'auth.login' OR action LIKE 'auth.login.%') AND outcome <> 'success'
          AND at > ${w.from} AND at <= ${w.to} AND ${where}
        ORDER BY at`,
  );
}

/** Evaluates the rules over one batch of new records; returns the events to raise. */
export async function evaluate(db: Db, facts: AuditFact[], cfg: MonitorConfig): Promise<NewEvent[]> {
  if (!facts.length) return [];
  const events: NewEvent[] = [];
  const minAt = Math.min(...facts.map((f) => f.at.getTime()));
  const maxAt = Math.max(...facts.map((f) => f.at.getTime()));
  const loginWindow: Window = { from: new Date(minAt - LOGIN_WINDOW_MS), to: new Date(maxAt) };

  // Password guessing on one account: attempts within 15 minutes.
  const failures = facts.filter(isLoginFailure);
  for (const account of new Set(failures.map(loginAccount).filter((a): a is string => !!a))) {
    const rows = await loginFailuresInWindow(db, loginWindow, sql`coalesce(details->>'username', target_id) = ${account}`);
    const hit = firstBreach(
      rows.map((r) => ({ t: Number(r.t), key: String(r.seq) })),
      LOGIN_WINDOW_MS,
      cfg.loginFailures,
    );
    if (!hit) continue;
    const ips = [...new Set(rows.map((r) => r.ip).filter(Boolean))];
    events.push({
      rule: 'auth.password_guessing',
      severity: 'high',
      at: new Date(hit.t),
      subject: account,
      ip: ips.length === 1 ? ips[0]! : null,
      summary: `${hit.keys.length} lần đăng nhập sai vào tài khoản ${account} trong 15 phút.`,
      details: { attempts: hit.keys.length, addresses: ips.slice(0, 20), windowMinutes: 15 },
      dedupeKey: `auth.password_guessing:${account}:${bucketOf(hit.t, LOGIN_WINDOW_MS)}`,
    });
  }

  // One address trying many accounts.
  for (const ip of new Set(failures.map((f) => f.ip).filter((a): a is string => !!a))) {
    const rows = await loginFailuresInWindow(db, loginWindow, sql`ip = ${ip}`);
    const hit = firstBreach(
      rows.filter((r) => r.account).map((r) => ({ t: Number(r.t), key: r.account! })),
      LOGIN_WINDOW_MS,
      cfg.accountsPerAddress,
    );
    if (!hit) continue;
    events.push({
      rule: 'auth.address_many_accounts',
      severity: 'high',
      at: new Date(hit.t),
      ip,
      subject: ip,
      summary: `Địa chỉ ${ip} đăng nhập sai vào ${hit.keys.length} tài khoản khác nhau trong 15 phút.`,
      details: { accounts: hit.keys.slice(0, 50), accountCount: hit.keys.length, windowMinutes: 15 },
      dedupeKey: `auth.address_many_accounts:${ip}:${bucketOf(hit.t, LOGIN_WINDOW_MS)}`,
    });
  }

  // Who among the actors is staff (roles now; an account's roles rarely change within a minute).
  const actorIds = [...new Set(facts.map((f) => f.actorId).filter((a): a is string => !!a))];
  const staff = new Set<string>();
  if (actorIds.length) {
    const rows = await queryRows<{ user_id: string; role: string }>(
      db,
      sql`SELECT user_id, role FROM user_roles WHERE user_id IN (${sql.join(
        actorIds.map((a) => sql`${a}`),
        sql`, `,
      )})`,
    );
    for (const r of rows) if (STAFF_ROLES.has(r.role)) staff.add(r.user_id);
  }
  // The payment gateway's account acts at the desk when a citizen's transfer arrives, at any hour: it is no one at work.
  const isStaffFact = (f: AuditFact) =>
    f.actorId !== PAYMENT_SYSTEM_USER_ID && ((f.actorId && staff.has(f.actorId)) || (f.actorRole !== null && STAFF_ROLES.has(f.actorRole)));

  // One staff account reading an unusual number of dossiers within an hour.
  const reads = facts.filter((f) => isDossierRead(f) && f.actorId && isStaffFact(f));
  for (const actorId of new Set(reads.map((f) => f.actorId!))) {
    const rows = await queryRows<{ t: number; target_id: string }>(
      db,
      sql`SELECT (extract(epoch FROM at) * 1000)::float8 AS t, target_id FROM audit_log
          WHERE action IN ('dossier.read', 'dossier.file.read') AND actor_id = ${actorId}
            AND at > ${new Date(minAt - READ_WINDOW_MS)} AND at <= ${new Date(maxAt)} AND target_id IS NOT NULL`,
    );
    const hit = firstBreach(
      rows.map((r) => ({ t: Number(r.t), key: r.target_id })),
      READ_WINDOW_MS,
      cfg.readsPerHour,
    );
    if (!hit) continue;
    events.push({
      rule: 'staff.mass_read',
      severity: 'medium',
      at: new Date(hit.t),
      actorId,
      subject: actorId,
      summary: `Một tài khoản cán bộ đã xem ${hit.keys.length} hồ sơ khác nhau trong một giờ.`,
      details: { dossiers: hit.keys.length, windowMinutes: 60 },
      dedupeKey: `staff.mass_read:${actorId}:${bucketOf(hit.t, READ_WINDOW_MS)}`,
    });
  }

  const clock = await loadClock(db);
  for (const f of facts) {
    // Exports of personal data by staff.
    if (isExport(f) && f.outcome === 'success' && isStaffFact(f)) {
      events.push({
        rule: 'staff.export',
        severity: 'medium',
        at: f.at,
        actorId: f.actorId,
        ip: f.ip,
        subject: f.targetId ?? f.action,
        summary: `Cán bộ xuất dữ liệu (${f.action}).`,
        details: { action: f.action, targetType: f.targetType, targetId: f.targetId },
        auditSeq: f.seq,
        dedupeKey: `staff.export:${f.seq}`,
      });
    }
    // Role and permission changes.
    if (isRoleChange(f) && f.outcome === 'success') {
      const roles = rolesIn(f.details);
      events.push({
        rule: 'admin.role_change',
        severity: roles.some((r) => PRIVILEGED_ROLES.has(r)) ? 'high' : 'medium',
        at: f.at,
        actorId: f.actorId,
        ip: f.ip,
        subject: f.targetId,
        summary: `Thay đổi vai trò, quyền (${f.action}) của tài khoản ${f.targetId ?? '?'}${roles.length ? `: ${roles.join(', ')}` : ''}.`,
        details: { action: f.action, roles },
        auditSeq: f.seq,
        dedupeKey: `admin.role_change:${f.seq}`,
      });
    }
    // Staff activity outside office hours: once per account and day.
    if (f.actorId && isStaffFact(f) && isOutsideOfficeHours(f.at, clock.officeHours, (d) => clock.calendar.isWorkingDay(d))) {
      events.push({
        rule: 'staff.off_hours',
        severity: 'low',
        at: f.at,
        actorId: f.actorId,
        ip: f.ip,
        subject: f.actorId,
        summary: `Tài khoản cán bộ hoạt động ngoài giờ hành chính (${f.action}).`,
        details: { action: f.action },
        auditSeq: f.seq,
        dedupeKey: `staff.off_hours:${f.actorId}:${vnDate(f.at)}`,
      });
    }
  }
  return events;
}

export interface MonitorResult {
  records: number;
  events: number;
  head: { seq: number; hash: string };
}

/**
 * One run of the monitor: up to MAX_BATCHES × BATCH new records. Each batch commits its events
 * and watermark together; a concurrent run waits for the state row (FOR UPDATE).
 */
export async function runSecurityMonitor(db: Db, log: FastifyBaseLogger, cfg: MonitorConfig, now = new Date()): Promise<MonitorResult> {
  let records = 0;
  let raised = 0;
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const r = await db.transaction(async (tx) => {
      // The first run starts an hour back, not at the beginning of history: an existing database
      // (upgraded to the chain) would otherwise flood officers with events about years-old activity.
      // What lies before is covered by the full verification (daily job, API, CLI).
      await tx.execute(
        sql`INSERT INTO security_monitor_state (name, last_seq, last_hash, updated_at)
            SELECT ${STATE}, coalesce(h.seq, 0), coalesce(h.hash, ${GENESIS_HASH}), ${now}
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE at < ${new Date(now.getTime() - FIRST_RUN_LOOKBACK_MS)} ORDER BY seq DESC LIMIT 1) AS h ON true
            ON CONFLICT (name) DO NOTHING`,
      );
      const [state] = await queryRows<{ last_seq: number; last_hash: string }>(
        tx,
        sql`SELECT last_seq, last_hash FROM security_monitor_state WHERE name = ${STATE} FOR UPDATE`,
      );
      const from = { seq: Number(state!.last_seq), hash: state!.last_hash };
      const events: NewEvent[] = [];
      // The record at the watermark must still be the one we saw (catches a rewritten or truncated tail).
      if (from.seq > 0) {
        const [anchor] = await queryRows<{ id: number; hash: string }>(tx, sql`SELECT id, hash FROM audit_log WHERE seq = ${from.seq}`);
        if (!anchor || anchor.hash !== from.hash) {
          events.push(
            chainBrokenEvent(
              { ok: false, records: 0, firstBrokenId: anchor ? Number(anchor.id) : undefined, reason: anchor ? 'hash_mismatch' : 'sequence_gap' },
              now,
              'monitor-anchor',
            ),
          );
        }
      }
      const batch = await readChain(tx, from.seq, BATCH);
      const bad = checkLinks(batch, from.seq, from.hash);
      if (bad) events.push(chainBrokenEvent({ ok: false, records: bad.index + 1, firstBrokenId: bad.broken.id, reason: bad.reason }, now, 'monitor'));
      events.push(...(await evaluate(tx, batch.map(factOf), cfg)));
      const fresh = await raiseEvents(tx, now, events);
      const last = batch[batch.length - 1];
      const to = last ? { seq: last.seq, hash: last.hash } : from;
      if (last)
        await tx.execute(sql`UPDATE security_monitor_state SET last_seq = ${to.seq}, last_hash = ${to.hash}, updated_at = ${now} WHERE name = ${STATE}`);
      return { fresh, count: batch.length, to };
    });
    logEvents(log, r.fresh);
    records += r.count;
    raised += r.fresh.length;
    head = r.to;
    if (r.count < BATCH) break;
  }
  if (records) securityLogger(log).info({ event: 'audit_chain_head', seq: head.seq, hash: head.hash, records }, 'audit chain head');
  return { records, events: raised, head };
}

/** Job handlers of the security module (main.ts merges them into the worker's). */
export function securityJobHandlers(log: FastifyBaseLogger, cfg: MonitorConfig): Record<string, JobHandler> {
  return {
    'security.monitor': async (_job, db) => {
      await runSecurityMonitor(db, log, cfg);
    },
    'security.audit_verify': async (_job, db) => {
      await verifyAndReport(db, log, 'daily-job');
    },
  };
}

/** Every minute the rules; once a day the whole chain. */
export const securitySchedules = [
  { type: 'security.monitor', everyMs: 60_000 },
  { type: 'security.audit_verify', everyMs: 86_400_000 },
];
