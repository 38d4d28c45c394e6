import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installOpenApi } from './openapi.ts';

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
        { schema: { tags: ['dossiers'], body: z.object({ procedureCode: z.string() }), response: { 201: z.object({ id: z.string() }) } } },
        async () => ({ id: 'x' }),
      );
      r.route({ method: ['PUT', 'PATCH'], url: '/things/:id', schema: { params: z.object({ id: z.string() }) }, handler: async () => null });
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
    await eager.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'tinhso API',
          version: '1',
          description:
            'Tỉnh Số: the public-service platform of a province. Times are ISO 8601 with the +07:00 offset. Errors are RFC 9457 application/problem+json with a stable `code`.',
        },
        servers: [{ url: '/' }],
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await addRoutes(eager);
    await eager.ready();

    const lazy = base();
    installOpenApi(lazy);
    await addRoutes(lazy);
    const doc = (await lazy.inject({ method: 'GET', url: '/api/openapi.json' })).json();

    expect(doc).toEqual(JSON.parse(JSON.stringify(eager.swagger())));
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/dossiers', '/api/v1/public/dossiers/{code}', '/api/v1/things/{id}']);
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
