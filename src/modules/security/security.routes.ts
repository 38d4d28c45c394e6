import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Database } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireRole } from '../../platform/auth.ts';
import { ctxOf } from '../../platform/http.ts';
import { ChainVerificationView, EventsQuery, SecurityEventView } from './security.schemas.ts';
import { listSecurityEvents } from './security.service.ts';
import { verifyAndReport } from './security.monitor.ts';
import { z } from 'zod';

/** The audit verification (administrators) and the security events (security officers, administrators). */
export function securityRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit/verification',
      {
        schema: {
          tags: ['security'],
          summary: 'Recompute the audit hash chain and report the first broken record (administrators); a broken chain also raises a critical security event',
          response: { 200: ChainVerificationView },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        requireRole(ctx.actor, 'admin');
        const v = await verifyAndReport(database.db, req.log, 'api', ctx.now);
        await writeAudit(ctx, {
          action: 'audit.verify',
          targetType: 'audit_log',
          outcome: v.ok ? 'success' : 'failure',
          details: { records: v.records, firstBrokenId: v.firstBrokenId ?? null },
        });
        return v;
      },
    );

    app.get(
      '/security/events',
      {
        schema: {
          tags: ['security'],
          summary: 'Security events, newest first; severity = at least this severity (security officers, administrators)',
          querystring: EventsQuery,
          response: { 200: z.object({ items: z.array(SecurityEventView) }) },
        },
      },
      async (req) => {
        requireRole(req.actor, 'security', 'admin');
        return { items: await listSecurityEvents(database.db, req.query) };
      },
    );
  };
}
