/**
 * The authorization matrix of the API, enforced in one place (docs/AUTHZ.md explains it).
 *
 * Every API route is classified here by method and path: public, any signed-in person, or the
 * roles that may call it. A hook checks the class before the request body is even validated, so
 * the answer to the wrong person is always 401 or 403, never a hint from validation. A route
 * missing from the matrix makes the app refuse to start (fail closed).
 *
 * What depends on the resource (the applicant's own dossier; an agency in the officer's scope;
 * the current workflow step) is decided by the services, which answer 404 where existence must
 * not leak. The matrix is the first gate; the services are the second.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActor, requireRole } from './auth.ts';
import type { Role } from './context.ts';

export type Access = 'public' | 'signed-in' | readonly Role[];

const STAFF: readonly Role[] = ['reception', 'specialist', 'leader'];
const ADMIN: readonly Role[] = ['admin'];
const STAFF_OR_ADMIN: readonly Role[] = [...STAFF, 'admin'];
/** Who reviews payments (held transfers, refunds, reconciliation): the API below and the portal's payments page. */
export const REVIEWERS: readonly Role[] = ['leader'];

/** `METHOD /path` (OpenAPI path syntax) → who may call it. */
export const ACCESS_MATRIX: Record<string, Access> = {
  // Identity
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/totp': 'public',
  'POST /api/v1/auth/logout': 'signed-in',
  'GET /api/v1/me': 'signed-in',
  'GET /api/v1/me/totp': 'signed-in',
  'DELETE /api/v1/me/totp': 'signed-in',
  'POST /api/v1/me/totp/enrolment': 'signed-in',
  'POST /api/v1/me/totp/confirmation': 'signed-in',
  'POST /api/v1/me/totp/recovery-codes': 'signed-in',
  'GET /api/v1/me/sessions': 'signed-in',
  'DELETE /api/v1/me/sessions': 'signed-in',
  'DELETE /api/v1/me/sessions/{id}': 'signed-in',
  'GET /api/v1/users/{id}/sessions': ADMIN,
  'DELETE /api/v1/users/{id}/sessions': ADMIN,
  'DELETE /api/v1/users/{id}/sessions/{sessionId}': ADMIN,
  'GET /api/v1/users': ADMIN,
  'POST /api/v1/users': ADMIN,
  'PUT /api/v1/users/{username}/roles': ADMIN,
  'PATCH /api/v1/users/{username}': ADMIN,
  // Reference data and catalogue
  'GET /api/v1/units': 'public',
  'POST /api/v1/units/import': ADMIN,
  'POST /api/v1/units/successions/import': ADMIN,
  'DELETE /api/v1/units/successions/{id}': ADMIN,
  'GET /api/v1/units/{code}/successions': 'public',
  'GET /api/v1/agencies': 'public',
  'PUT /api/v1/agencies/{code}': ADMIN,
  'GET /api/v1/agencies/{code}/staff': STAFF,
  'GET /api/v1/procedures': 'public',
  'POST /api/v1/procedures': ADMIN,
  'GET /api/v1/procedure-fields': 'public',
  'GET /api/v1/procedures/{code}': 'public',
  'GET /api/v1/procedures/{code}/versions': ADMIN,
  'POST /api/v1/procedures/{code}/versions': ADMIN,
  'POST /api/v1/procedures/{code}/versions/{version}/publish': ADMIN,
  'GET /api/v1/calendar/due-date': 'public',
  'GET /api/v1/calendar/{year}': 'public',
  'PUT /api/v1/calendar/{year}/overrides': ADMIN,
  'GET /api/v1/settings': ADMIN,
  'GET /api/v1/settings/states': ADMIN,
  'PUT /api/v1/settings/{key}': ADMIN,
  // Index and reports (scope: the reader's agencies, checked by the services)
  'GET /api/v1/reports/handling': STAFF_OR_ADMIN,
  'GET /api/v1/reports/register': STAFF_OR_ADMIN,
  'GET /api/v1/reports/register.pdf': STAFF_OR_ADMIN,
  'GET /api/v1/service-index': STAFF_OR_ADMIN,
  'GET /api/v1/service-index/ranking': STAFF_OR_ADMIN,
  'GET /api/v1/service-index/indicators/{key}/dossiers': STAFF_OR_ADMIN,
  'GET /api/v1/service-index/config': STAFF_OR_ADMIN,
  'PUT /api/v1/service-index/config': ADMIN,
  // Notifications, consent, personal data
  'GET /api/v1/me/notifications': 'signed-in',
  'POST /api/v1/me/notifications/{id}/read': 'signed-in',
  'GET /api/v1/dossiers/{id}/notifications': 'signed-in',
  'GET /api/v1/me/consents': 'signed-in',
  'PUT /api/v1/me/consents/{purpose}': 'signed-in',
  'GET /api/v1/me/data-export': 'signed-in',
  'POST /api/v1/me/data-requests': 'signed-in',
  'GET /api/v1/me/data-requests': 'signed-in',
  'GET /api/v1/data-requests': ADMIN,
  'POST /api/v1/data-requests/{id}/resolution': ADMIN,
  // Dossiers (owner or agency scope: the services answer 404 to everyone else)
  'POST /api/v1/dossiers': 'signed-in',
  'POST /api/v1/dossiers/submissions': 'signed-in',
  'GET /api/v1/dossiers': 'signed-in',
  'GET /api/v1/dossiers/{id}': 'signed-in',
  'PATCH /api/v1/dossiers/{id}': 'signed-in',
  'POST /api/v1/dossiers/{id}/files': 'signed-in',
  'DELETE /api/v1/dossiers/{id}/files/{fileId}': 'signed-in',
  'GET /api/v1/dossiers/{id}/files/{fileId}': 'signed-in',
  'POST /api/v1/dossiers/{id}/submit': 'signed-in',
  'POST /api/v1/dossiers/{id}/actions': 'signed-in',
  'GET /api/v1/dossiers/{id}/history': 'signed-in',
  'POST /api/v1/dossiers/{id}/rating': 'signed-in',
  'GET /api/v1/public/dossiers/{code}': 'public',
  // Official documents and sealed results
  'GET /api/v1/dossiers/{id}/documents': 'signed-in',
  'GET /api/v1/dossiers/{id}/documents/{file}': 'signed-in',
  'POST /api/v1/dossiers/{id}/result': STAFF,
  'GET /api/v1/dossiers/{id}/results': 'signed-in',
  'GET /api/v1/me/documents': 'signed-in',
  'GET /api/v1/public/documents/{id}/verification': 'public',
  'GET /api/v1/public/documents/{id}/file': 'public',
  'POST /api/v1/public/documents/verification': 'public',
  // Security
  'GET /api/v1/audit/verification': ADMIN,
  'GET /api/v1/security/events': ['security', 'admin'],
  // Payments (the webhook is authenticated by its HMAC signature instead of a session)
  'GET /api/v1/dossiers/{id}/payments': 'signed-in',
  'GET /api/v1/payments/{id}/qr.png': 'signed-in',
  'GET /api/v1/payments/{id}/qr.svg': 'signed-in',
  'GET /api/v1/payments/{id}/receipt.pdf': 'signed-in',
  'POST /api/v1/payments/notifications': 'public',
  'GET /api/v1/payments/held': REVIEWERS,
  'POST /api/v1/payments/transactions/{id}/resolution': REVIEWERS,
  'GET /api/v1/payments/reconciliation': REVIEWERS,
  'GET /api/v1/payments/reconciliation.csv': REVIEWERS,
  'GET /api/v1/payments/refunds': REVIEWERS,
  'POST /api/v1/payments/refunds/{id}/retry': REVIEWERS,
  // Public keys of the document seal
  'GET /.well-known/tinhso-keys.json': 'public',
};

/** Fastify's `/a/:id` as the matrix's `/a/{id}`. */
export const matrixPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const isGoverned = (url: string) => (url.startsWith('/api/') && !url.startsWith('/api/docs') && url !== '/api/openapi.json') || url.startsWith('/.well-known/');

/** The access class of a route, or undefined when it is not governed by the matrix (pages, docs). */
export function accessOf(method: string, url: string): Access | undefined {
  if (!isGoverned(url)) return undefined;
  return ACCESS_MATRIX[`${method === 'HEAD' ? 'GET' : method} ${matrixPath(url)}`];
}

/**
 * Installs the matrix: routes registered afterwards must be classified (else the app does not
 * start), and every request is checked before its body is read. The class of each route (and of the
 * HEAD route Fastify adds for each GET) is decided here once, when the route is registered: a
 * route that needs a session or a role gets its own first preParsing hook; a public route
 * gets none, so the public lookup pays nothing per request.
 */
export function installAccessControl(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!isGoverned(url)) return;
    const byMethod = new Map<string, Access | undefined>();
    for (const method of [route.method].flat()) {
      const access = accessOf(method, url);
      if (!access && method !== 'HEAD' && method !== 'OPTIONS') throw new Error(`route ${method} ${url} is not in the access matrix (src/platform/access.ts)`);
      byMethod.set(method, access);
    }
    if ([...byMethod.values()].every((a) => a === undefined || a === 'public')) return;
    const check = async (req: FastifyRequest) => {
      const access = byMethod.get(req.method);
      if (access === undefined || access === 'public') return;
      if (access === 'signed-in') requireActor(req.actor);
      else requireRole(req.actor, ...access);
    };
    // Before the body is read (preParsing, after the session is known in onRequest): the wrong
    // person gets 401/403 even with a malformed, oversized or wrongly typed body, and costs no parsing.
    route.preParsing = [check, ...[route.preParsing ?? []].flat()];
  });
}
