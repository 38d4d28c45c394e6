import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** The methods a path is probed for (HEAD answers wherever GET does; Fastify adds it). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const API_PATH = /^\/api\//;

/**
 * The methods some route of the app answers at `path`, in METHODS order. A match of a wildcard
 * route (`/*`: the portal's catch-all readable 404 page) does not count: it exists for every path.
 */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  // The router answers a malformed percent-encoding with its bad-URL handler, which is no route.
  try {
    decodeURIComponent(path);
  } catch {
    return [];
  }
  return METHODS.filter((method) => {
    const route = app.findRoute({ method, url: path });
    return route !== null && !('*' in route.params);
  });
}

/**
 * The problem for a request no route answers: 405 Method Not Allowed when the API path exists
 * under other methods (RFC 9110 §15.5.6; `allow` is for the Allow header, which must list them),
 * else 404 ROUTE_NOT_FOUND. HEAD and OPTIONS keep their 404, and so do pages (paths outside
 * /api/): browsers only send GET and POST there. Used by the not-found handler (platform/http.ts)
 * and the portal's catch-all GET route (web/web.routes.ts), which every unknown GET reaches.
 */
export function routeMissing(req: FastifyRequest): { error: AppError; allow?: string } {
  const path = req.url.split('?')[0] ?? req.url;
  const allowed = req.method === 'HEAD' || req.method === 'OPTIONS' || !API_PATH.test(path) ? [] : allowedMethods(req.server, path);
  if (!allowed.length) return { error: new AppError('not_found', 'ROUTE_NOT_FOUND', { userMessage: 'Không tìm thấy địa chỉ này.' }) };
  const allow = allowed.join(', ');
  return {
    allow,
    error: new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', {
      userMessage: `Địa chỉ này không nhận phương thức ${req.method}; các phương thức được hỗ trợ: ${allow}.`,
      details: { allow: allowed },
    }),
  };
}
