import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listInbox, markAllInboxRead, markInboxItemRead } from '../modules/notifications/index.ts';
import { UUID_RE } from '../platform/ids.ts';
import type { WebHelpers } from './application.routes.ts';
import { t } from './i18n.ts';
import { errorPage } from './pages.ts';
import { dossierHrefOf, NOTIFICATIONS_PAGE_SIZE, notificationsPage } from './notifications-pages.ts';
import { redirectToSignIn } from './sign-in.ts';

/** The highest page number read from a query (beyond the last page the list is simply empty). */
const MAX_PAGE = 10_000;

function pageOf(v: unknown): number {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string' || !/^\d{1,5}$/.test(s)) return 1;
  return Math.min(MAX_PAGE, Math.max(1, Number(s)));
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * `/thong-bao`: the signed-in person's in-app notifications (docs/NOTIFICATIONS.md). Reading one
 * is a POST (CSRF-checked like every form) that marks it read and goes on to its dossier; "mark
 * all read" is another. Visitors are sent to sign in.
 */
export function registerNotificationPageRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database } = h;

  const csrfFailed = (req: FastifyRequest, reply: FastifyReply) => {
    const p = h.pageCtx(req, reply);
    return h.send(reply, 403, errorPage(p, t(p.locale, 'error.csrfTitle'), t(p.locale, 'error.csrf')));
  };

  app.get('/thong-bao', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const q = record(req.query);
    const page = pageOf(q.trang);
    const inbox = await listInbox(database.db, req.actor.userId, page, NOTIFICATIONS_PAGE_SIZE);
    const p = h.pageCtx(req, reply);
    const done = typeof q.xong === 'string' && /^\d{1,6}$/.test(q.xong) ? t(p.locale, 'notif.allRead', { n: Number(q.xong) }) : undefined;
    // The header's count is the one just read with the list.
    return h.send(reply, 200, notificationsPage({ ...p, unread: inbox.unread }, { ...inbox, page, notice: done }));
  });

  app.post('/thong-bao/doc-tat-ca', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply, '/thong-bao');
    if (!h.csrfValid(req, record(req.body))) return csrfFailed(req, reply);
    const n = await markAllInboxRead(database.db, req.actor.userId, new Date());
    return reply.redirect(`/thong-bao?xong=${n}`, 303);
  });

  app.post('/thong-bao/:id/doc', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply, '/thong-bao');
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfFailed(req, reply);
    const id = String(record(req.params).id ?? '');
    const found = UUID_RE.test(id) ? await markInboxItemRead(database.db, req.actor.userId, id.toLowerCase(), new Date()) : null;
    if (!found) {
      const p = h.pageCtx(req, reply);
      return h.send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'notif.notFound')));
    }
    const page = pageOf(body.trang);
    return reply.redirect(dossierHrefOf(found) ?? (page > 1 ? `/thong-bao?trang=${page}` : '/thong-bao'), 303);
  });
}
