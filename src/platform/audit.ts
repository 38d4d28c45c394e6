import type { Db } from '../db/client.ts';
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
 * change it records, so the record exists exactly when the change does.
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
