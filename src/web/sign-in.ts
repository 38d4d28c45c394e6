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
 * The one way a page sends a signed-out person to sign in: 303 to `signInPath(back)`, `back`
 * being the address asked for unless the route names another (a POST's page, where a GET of the
 * POST's own address would not show the form). When the browser's session has ended, web.routes.ts
 * adds `het-phien=1` to this redirect in its onSend, so the sign-in page can say why.
 */
export function redirectToSignIn(req: FastifyRequest, reply: FastifyReply, back: string = req.url): FastifyReply {
  return reply.redirect(signInPath(back), 303);
}
