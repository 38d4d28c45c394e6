import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document (`GET /api/openapi.json`) and its browsable reference (`/api/docs`),
 * built on first use rather than at start (docs/PERFORMANCE.md: registering @fastify/swagger and
 * @fastify/swagger-ui cost a sizeable share of start-up, for pages few requests ever need).
 *
 * At start only the routes are recorded (an `onRoute` hook, the same one @fastify/swagger would
 * add). The first request for the document or the reference builds a separate, never-listening
 * Fastify instance with @fastify/swagger and @fastify/swagger-ui and the recorded routes (same
 * method, URL, schema and config; a handler that is never called), and keeps it: the document is
 * the one @fastify/swagger generates from the same routes, and the reference's pages are served
 * from that instance through `inject`, so the main application's hooks (security headers,
 * metrics) still apply to them.
 */

const OPENAPI_OPTIONS = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'tinhso API',
      version: '1',
      description:
        'Tỉnh Số: the public-service platform of a province. Times are ISO 8601 with the +07:00 offset. Errors are RFC 9457 application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
    security: [{ bearer: [] }],
  },
  transform: jsonSchemaTransform,
};

export const DOCS_PREFIX = '/api/docs';
export const OPENAPI_URL = '/api/openapi.json';

/** What the document is made of: each route as registered (HEAD twins skipped, as @fastify/swagger does). */
type RecordedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config' | 'constraints'> & { links?: unknown };

/** Request headers the reference's static files answer to (caching, compression). */
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-encoding', 'if-none-match', 'if-modified-since', 'range'];
/** Response headers not copied from the inner instance (the outer reply sets its own). */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);

/**
 * Installs the recorder and the two routes. Call before any other route is added (the recorder
 * sees only the routes added after it), as @fastify/swagger had to be registered first.
 */
export function installOpenApi(app: FastifyInstance): { build: () => Promise<FastifyInstance> } {
  const routes: RecordedRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD') return;
    if (route.url === OPENAPI_URL || route.url.startsWith(DOCS_PREFIX)) return;
    const { method, url, schema, config, constraints } = route;
    const links = (route as { links?: unknown }).links;
    routes.push({ method, url, schema, config, constraints, ...(links ? { links } : {}) });
  });

  let built: Promise<FastifyInstance> | null = null;
  const build = () => {
    built ??= buildDocsInstance(routes).catch((err: unknown) => {
      built = null;
      throw err;
    });
    return built;
  };

  app.get(OPENAPI_URL, { schema: { hide: true } }, async () => (await build()).swagger());
  const forward = async (req: { url: string; headers: Record<string, string | string[] | undefined> }, reply: import('fastify').FastifyReply) => {
    const docs = await build();
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const res = await docs.inject({ method: 'GET', url: req.url, headers });
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) reply.header(k, v);
    reply.code(res.statusCode);
    return res.rawPayload.length ? reply.send(res.rawPayload) : reply.send();
  };
  app.get(DOCS_PREFIX, { schema: { hide: true } }, forward);
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, forward);
  return { build };
}

async function buildDocsInstance(routes: RecordedRoute[]): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const docs = Fastify({ logger: false });
  docs.setValidatorCompiler(validatorCompiler);
  docs.setSerializerCompiler(serializerCompiler);
  await docs.register(swagger, OPENAPI_OPTIONS);
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  const never = async () => {
    throw new Error('the OpenAPI instance serves no API requests');
  };
  for (const r of routes) docs.route({ ...r, handler: never } as RouteOptions);
  await docs.ready();
  return docs;
}
