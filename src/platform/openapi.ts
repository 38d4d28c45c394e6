import type { SwaggerTransformObject } from '@fastify/swagger';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { completeDocument, RATE_LIMIT_MARK, type NamedSchemas, type OpenApiDocument } from './openapi-complete.ts';

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

/**
 * The options of @fastify/swagger: the routes' zod schemas become JSON Schema
 * (fastify-type-provider-zod's `jsonSchemaTransform`, which also marks a route with its own rate
 * limit for the 429 answer), then `completeDocument` (openapi-complete.ts) adds what the schemas
 * cannot say: error answers, operation ids, public routes, multipart bodies, binary answers.
 * The multipart bodies are declared there, keyed by route, and not as route schemas, so Fastify
 * never validates a multipart stream. Async: the named schemas come from the modules' zod schemas,
 * loaded when the document is first built.
 */
export async function openApiOptions() {
  const named = await namedSchemas();
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tinhso API',
        version: '1',
        description:
          'Tỉnh Số: the public-service platform of a province. Times are ISO 8601 with the +07:00 offset. Errors are RFC 9457 application/problem+json with a stable `code` (schema Problem).',
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: ((input) => {
      const out = jsonSchemaTransform(input);
      return input.route.config?.rateLimit ? { ...out, schema: { ...out.schema, [RATE_LIMIT_MARK]: true } } : out;
    }) satisfies typeof jsonSchemaTransform,
    transformObject: ((input) => {
      if (!('openapiObject' in input)) throw new Error('OpenAPI 2.0 is not supported');
      return completeDocument(input.openapiObject as unknown as OpenApiDocument, named) as unknown as ReturnType<SwaggerTransformObject>;
    }) satisfies SwaggerTransformObject,
  };
}

/** JSON Schema of a zod schema, as fastify-type-provider-zod writes route schemas (JSON Schema 2020-12). */
function jsonOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

/** A schema without its value checks (lengths, patterns, formats): what an answer may hold once stored, not what a request must. */
function withoutChecks(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutChecks);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, withoutChecks(s)]));
    else if (!['pattern', 'minLength', 'maxLength', 'format'].includes(k)) out[k] = withoutChecks(v);
  }
  return out;
}

async function namedSchemas(): Promise<NamedSchemas> {
  const [{ Applicant, CreateDossierBody }, { GeneratedResultBody }, { ProcedureDefinition }] = await Promise.all([
    import('../modules/dossiers/dossiers.schemas.ts'),
    import('../modules/documents/index.ts'),
    import('../modules/procedures/procedures.schemas.ts'),
  ]);
  return {
    Applicant: {
      ...(withoutChecks(jsonOf(Applicant, 'output')) as Record<string, unknown>),
      description:
        'The applicant as submitted, cleaned (trimmed, NFC); POST /api/v1/dossiers lists the checks. An applicant anonymised on request (docs/PRIVACY.md) keeps only type and fullName, with an empty idNumber.',
    },
    CreateDossierBody: jsonOf(CreateDossierBody, 'input'),
    GeneratedResultBody: jsonOf(GeneratedResultBody, 'input'),
    ProcedureDefinition: jsonOf(ProcedureDefinition, 'input'),
  };
}

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
  await docs.register(swagger, await openApiOptions());
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  const never = async () => {
    throw new Error('the OpenAPI instance serves no API requests');
  };
  for (const r of routes) docs.route({ ...r, handler: never } as RouteOptions);
  await docs.ready();
  return docs;
}
