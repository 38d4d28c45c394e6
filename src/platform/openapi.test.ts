import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installOpenApi, openApiOptions } from './openapi.ts';
import { completeDocument, operationIdOf, PROBLEM_RESPONSES, type NamedSchemas, type OpenApiDocument } from './openapi-complete.ts';

/** A few routes of the shapes the application has: prefixed, params, body, hidden, two methods. */
async function addRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  await api.register(
    async (v1) => {
      const r = v1.withTypeProvider<ZodTypeProvider>();
      r.get(
        '/public/dossiers/:code',
        {
          config: { rateLimit: { max: 1000, timeWindow: '1 minute' } },
          schema: {
            tags: ['public'],
            summary: 'Look up',
            params: z.object({ code: z.string().min(5) }),
            response: { 200: z.object({ code: z.string(), dueAt: z.string().nullable() }) },
          },
        },
        async (req) => ({ code: req.params.code, dueAt: null }),
      );
      r.post(
        '/dossiers',
        {
          schema: {
            tags: ['dossiers'],
            body: z.object({ procedureCode: z.string() }),
            response: {
              201: z.object({
                id: z.string(),
                applicant: z.unknown(),
                createdAt: z.string(),
                history: z.array(z.object({ at: z.string(), doneAt: z.string().nullable() })),
              }),
            },
          },
        },
        async () => ({ id: 'x', applicant: {}, createdAt: '', history: [] }),
      );
      r.route({ method: ['PUT', 'PATCH'], url: '/things/:id', schema: { params: z.object({ id: z.string() }) }, handler: async () => null });
      r.get('/own-id', { schema: { operationId: 'readOwnId', response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }));
    },
    { prefix: '/api/v1' },
  );
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function base() {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  apps.push(app);
  return app;
}

describe('OpenAPI built on first use', () => {
  it('gives the same document as @fastify/swagger registered at start', async () => {
    const eager = base();
    await eager.register(swagger, await openApiOptions());
    await addRoutes(eager);
    await eager.ready();

    const lazy = base();
    installOpenApi(lazy);
    await addRoutes(lazy);
    const doc = (await lazy.inject({ method: 'GET', url: '/api/openapi.json' })).json();

    expect(doc).toEqual(JSON.parse(JSON.stringify(eager.swagger())));
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/dossiers', '/api/v1/own-id', '/api/v1/public/dossiers/{code}', '/api/v1/things/{id}']);
    expect(Object.keys(doc.paths['/api/v1/things/{id}']).sort()).toEqual(['patch', 'put']);
  });

  it('builds nothing at start, then once, and serves the reference pages from it', async () => {
    const app = base();
    const { build } = installOpenApi(app);
    await addRoutes(app);
    await app.ready();
    const first = build();
    expect(build()).toBe(first);
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.body.toLowerCase()).toContain('swagger');
    const redirect = await app.inject({ method: 'GET', url: '/api/docs/static/index.html' });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/api/docs/');
    expect(redirect.body).toBe('');
    const json = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(json.json().openapi).toBe('3.1.0');
    // The API's own routes still answer.
    expect((await app.inject({ method: 'GET', url: '/api/v1/public/dossiers/ABCDE' })).json()).toEqual({ code: 'ABCDE', dueAt: null });
  });
});

const NAMED: NamedSchemas = {
  Applicant: { type: 'object', properties: { fullName: { type: 'string' } } },
  CreateDossierBody: { type: 'object', properties: { procedureCode: { type: 'string' } } },
  GeneratedResultBody: { type: 'object', properties: { title: { type: 'string' } } },
  ProcedureDefinition: { type: 'object', properties: { name: { type: 'string' } } },
};

async function documentOf(): Promise<OpenApiDocument> {
  const app = base();
  installOpenApi(app);
  await addRoutes(app);
  return (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
}

describe('the document says what the schemas cannot (openapi-complete.ts)', () => {
  it('names every operation once, from its method and path unless the route names it', async () => {
    const doc = await documentOf();
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.sort()).toEqual(['getPublicDossier', 'patchThing', 'postDossiers', 'putThing', 'readOwnId']);
    expect(operationIdOf('GET', '/api/v1/dossiers')).toBe('listDossiers');
    expect(operationIdOf('GET', '/api/v1/dossiers/{id}')).toBe('getDossier');
    expect(operationIdOf('POST', '/api/v1/dossiers/{id}/actions')).toBe('postDossierActions');
    expect(operationIdOf('DELETE', '/api/v1/users/{id}/sessions/{sessionId}')).toBe('deleteUserSession');
    expect(operationIdOf('GET', '/api/v1/agencies')).toBe('listAgencies');
    expect(operationIdOf('GET', '/api/v1/agencies/{code}/staff')).toBe('getAgencyStaff');
    expect(operationIdOf('POST', '/api/v1/me/data-requests')).toBe('postMeDataRequests');
    expect(operationIdOf('GET', '/api/v1/payments/{id}/qr.png')).toBe('getPaymentQrPng');
    expect(operationIdOf('GET', '/api/v1/reports/handling')).toBe('getReportsHandling');
    expect(operationIdOf('GET', '/.well-known/tinhso-keys.json')).toBe('getWellKnownTinhsoKeysJson');
  });

  it('refuses two operations with one id', () => {
    const doc: OpenApiDocument = {
      paths: { '/api/v1/a': { get: { responses: {}, operationId: 'same' } }, '/api/v1/b': { get: { responses: {}, operationId: 'same' } } },
    };
    expect(() => completeDocument(doc, NAMED)).toThrow(/share the operationId same/);
  });

  it('answers errors as the shared Problem, by what each operation takes', async () => {
    const doc = await documentOf();
    expect(doc.components?.schemas?.Problem).toMatchObject({ required: expect.arrayContaining(['type', 'title', 'status', 'code']) });
    const responses = doc.components?.responses as Record<string, { content: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
    for (const name of Object.values(PROBLEM_RESPONSES)) {
      expect(responses[name]?.content['application/problem+json']?.schema, name).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    expect(responses.TooManyRequests?.headers?.['Retry-After']).toBeDefined();
    const codes = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses);
    // A body, signed in (access.ts: POST /dossiers): 400/413/415/422, 401; no role required and no Idempotency-Key here, so
    // 403 and 404 only as the service's own refusals (EXTRA_STATUSES: who may create one, the procedure named), and no 409.
    expect(codes('/api/v1/dossiers', 'post')).toEqual(['201', '400', '401', '403', '404', '413', '415', '422', '5XX']);
    expect(doc.paths['/api/v1/dossiers']!.post!.responses['422']).toEqual({ $ref: '#/components/responses/UnprocessableContent' });
    // Public, a path parameter, its own rate limit: no 401, 404, 422, 429.
    expect(codes('/api/v1/public/dossiers/{code}', 'get')).toEqual(['200', '400', '404', '422', '429', '5XX']);
    // Not in the access matrix (so no 401), each method its own object.
    expect(codes('/api/v1/things/{id}', 'put')).toEqual(['200', '400', '404', '422', '5XX']);
    expect(doc.paths['/api/v1/things/{id}']!.put).not.toBe(doc.paths['/api/v1/things/{id}']!.patch);
    expect(doc.paths['/api/v1/things/{id}']!.put!.responses['200']).toEqual({ description: 'OK' });
    expect(codes('/api/v1/own-id', 'get')).toEqual(['200', '400', '5XX']);
    // The transform's mark does not reach the document.
    expect(JSON.stringify(doc)).not.toContain('x-tinhso');
  });

  it('opens the public routes to anyone and keeps the bearer on the others', async () => {
    const doc = await documentOf();
    expect(doc.paths['/api/v1/public/dossiers/{code}']!.get!.security).toEqual([]);
    expect(doc.paths['/api/v1/dossiers']!.post!.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('marks times, names the applicant and describes responses by their status', async () => {
    const doc = await documentOf();
    const created = doc.paths['/api/v1/dossiers']!.post!.responses['201'] as { description: string; content: Record<string, { schema: Record<string, any> }> };
    expect(created.description).toBe('Created');
    const props = created.content['application/json']!.schema.properties;
    expect(props.applicant).toEqual({ $ref: '#/components/schemas/Applicant' });
    expect(props.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(props.history.items.properties.doneAt).toMatchObject({ format: 'date-time' });
    // `at` is not an …At name; ids are not times.
    expect(props.history.items.properties.at.format).toBeUndefined();
    expect(props.id.format).toBeUndefined();
    expect(doc.components?.schemas?.Applicant).toMatchObject({ type: 'object' });
  });
});
