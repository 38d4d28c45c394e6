import { createHash } from 'node:crypto';
import { queryRows, sql, type Db } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';
import type { Ctx } from './context.ts';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  outcome?: 'success' | 'failure' | 'denied';
  details?: Record<string, unknown>;
  /** Overrides the actor from ctx (e.g. a failed sign-in names the account tried). */
  actorId?: string | null;
  actorRole?: string | null;
}

/**
 * Appends one audit record with every field explicit. Call it with the transaction of the
 * change it records, so the record exists exactly when the change does. The database chains it
 * (trigger audit_log_chain, migration 0009): seq and hash are assigned there, under a lock held
 * until commit, so keep audit writes at the end of a transaction.
 */
export async function writeAudit(ctx: Pick<Ctx, 'actor' | 'now' | 'ip'> & { db: Db }, e: AuditEntry): Promise<void> {
  await ctx.db.insert(auditLog).values({
    at: ctx.now,
    actorId: e.actorId !== undefined ? e.actorId : (ctx.actor?.userId ?? null),
    actorRole: e.actorRole !== undefined ? e.actorRole : (ctx.actor?.roles[0]?.role ?? null),
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    ip: ctx.ip ?? null,
    outcome: e.outcome ?? 'success',
    details: e.details ?? {},
  });
}

/** The hash before the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** One stored record as the verifier reads it: `at` as UTC text with microseconds, `details` as jsonb's normalised text. */
export interface ChainRecord {
  id: number;
  seq: number;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  outcome: string;
  details: string;
  hash: string;
}

/**
 * The canonical JSON of a record, the same text the database builds in tinhso_audit_canonical:
 * `[seq,id,"at",actor_id,actor_role,"action",target_type,target_id,ip,"outcome",details]`.
 * JSON.stringify escapes strings exactly as PostgreSQL's to_json does (", \\, \b \f \n \r \t,
 * other control characters as \u00xx); details is embedded as stored, already canonical.
 */
export function canonicalRecord(r: Omit<ChainRecord, 'hash'>): string {
  const head = JSON.stringify([r.seq, r.id, r.at, r.actor_id, r.actor_role, r.action, r.target_type, r.target_id, r.ip, r.outcome]);
  return `${head.slice(0, -1)},${r.details}]`;
}

/** sha256(prev_hash || canonical JSON), hex. */
export function chainHash(prevHash: string, r: Omit<ChainRecord, 'hash'>): string {
  return createHash('sha256')
    .update(prevHash + canonicalRecord(r), 'utf8')
    .digest('hex');
}

export interface ChainVerification {
  ok: boolean;
  /** Records checked (all of them when ok; up to and including the first broken one otherwise). */
  records: number;
  /** id of the first record whose hash or position does not follow from the records before it. */
  firstBrokenId?: number;
  /** Why it is broken: the stored hash differs, or a sequence number is missing or repeated. */
  reason?: 'hash_mismatch' | 'sequence_gap';
  /** The last record of an intact chain: keep it outside the database as an anchor. */
  head?: { seq: number; hash: string };
}

const PAGE = 5000;

/** Reads chain records with seq > afterSeq, in chain order (keyset pages). */
export async function readChain(db: Db, afterSeq: number, limit = PAGE): Promise<ChainRecord[]> {
  const rows = await queryRows<ChainRecord>(
    db,
    sql`SELECT id, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, actor_id::text AS actor_id, actor_role,
          action, target_type, target_id, ip, outcome, details::text AS details, hash
        FROM audit_log WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), seq: Number(r.seq) }));
}

/**
 * Checks a run of records against the record before them (seq `fromSeq`, hash `fromHash`).
 * Returns the first broken record, or null when every record follows from the one before it.
 */
export function checkLinks(
  records: ChainRecord[],
  fromSeq: number,
  fromHash: string,
): { broken: ChainRecord; reason: 'hash_mismatch' | 'sequence_gap'; index: number } | null {
  let prevSeq = fromSeq;
  let prevHash = fromHash;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.seq !== prevSeq + 1) return { broken: r, reason: 'sequence_gap', index: i };
    const { hash, ...rest } = r;
    if (chainHash(prevHash, rest) !== hash) return { broken: r, reason: 'hash_mismatch', index: i };
    prevSeq = r.seq;
    prevHash = hash;
  }
  return null;
}

/**
 * Recomputes the whole chain from the first record and reports the first record that does not
 * follow from those before it (content changed, record inserted, deleted or reordered). It uses
 * only the stored columns, not the database's chaining function, so a replaced trigger function
 * cannot vouch for itself. Truncating the tail is invisible to the chain alone: compare `head`
 * with an anchor kept elsewhere (the security log prints it on every run of the monitor).
 */
export async function verifyAuditChain(db: Db): Promise<ChainVerification> {
  let seq = 0;
  let hash = GENESIS_HASH;
  let records = 0;
  for (;;) {
    const page = await readChain(db, seq);
    if (page.length === 0) break;
    const bad = checkLinks(page, seq, hash);
    if (bad) return { ok: false, records: records + bad.index + 1, firstBrokenId: bad.broken.id, reason: bad.reason };
    records += page.length;
    const last = page[page.length - 1]!;
    seq = last.seq;
    hash = last.hash;
  }
  return { ok: true, records, ...(records ? { head: { seq, hash } } : {}) };
}
