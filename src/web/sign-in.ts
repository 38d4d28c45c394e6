import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeLocalPath } from './web-session.ts';

/** The portal's sign-in page (web.routes.ts). */
export const SIGN_IN_PATH = '/dang-nhap';

/**
 * The sign-in page's address that comes back to `back` once signed in: `/dang-nhap?next=…`, the
 * path as one encoded query value. Only a local path is carried (`safeLocalPath`); anything else
 * (`//evil.example`, `https://…`) comes back to `/`. The sign-in page checks `next` again.
 */
export function signInPath(back: string): string {
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(safeLocalPath(back))}`;
}

/**
 * Where a person signing in comes back to when the route names no page: the address asked for on a
 * GET; for a form's POST (whose own address a GET would not show) the page the form was on, from
 * the Referer when it is this site's (the portal sends `Referrer-Policy: same-origin`), else `/`.
 */
export function pageAsked(req: FastifyRequest): string {
  if (req.method === 'GET' || req.method === 'HEAD') return req.url;
  const referer = req.headers.referer;
  if (referer) {
    try {
      const u = new URL(referer);
      if (u.host === req.host) return `${u.pathname}${u.search}`;
    } catch {
      // Not a URL: no page to come back to.
    }
  }
  return '/';
}

/**
 * The one way a page sends a signed-out person to sign in: 303 to `signInPath(back)`, `back`
 * being the page asked for (`pageAsked`) unless the route names another. When the browser's
 * session has ended, web.routes.ts adds `het-phien=1` to this redirect in its onSend, so the
 * sign-in page can say why.
 */
export function redirectToSignIn(req: FastifyRequest, reply: FastifyReply, back: string = pageAsked(req)): FastifyReply {
  return reply.redirect(signInPath(back), 303);
}
