import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { pendingMigrations } from './db/migrate.ts';
import { calendarRoutes } from './modules/calendar/index.ts';
import { dossierRoutes } from './modules/dossiers/dossiers.routes.ts';
import { identityRoutes } from './modules/identity/identity.routes.ts';
import { userRoutes } from './modules/identity/users.routes.ts';
import { procedureRoutes } from './modules/procedures/procedures.routes.ts';
import { referenceRoutes } from './modules/reference/reference.routes.ts';
import { settingsRoutes } from './modules/settings/settings.routes.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
import { bearerToken, SessionStore } from './platform/auth.ts';
import { AppError } from './platform/errors.ts';
import type { LocalFileStore } from './platform/files.ts';
import { installErrorHandling } from './platform/http.ts';
import { webRoutes } from './web/web.routes.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  files: LocalFileStore;
}

/** The whole HTTP application. main.ts listens on it; tests build it too and call it in-process. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, files } = deps;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'body.password'], censor: '[redacted]' },
          },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestTimeout: 120_000,
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024, files: 1 } });
  await app.register(swagger, {
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
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const sessions = new SessionStore(config.sessionSecret, config.sessionTtlMs);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    const token = bearerToken(req);
    if (token) {
      req.actor = await sessions.resolve(database.db, token);
      if (!req.actor) {
        throw new AppError('unauthenticated', 'AUTH_SESSION_INVALID', { userMessage: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.' });
      }
    }
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await database.ping();
      const pending = await pendingMigrations(database);
      if (pending.length) return reply.status(503).send({ status: 'unavailable', reason: `migrations pending: ${pending.join(', ')}` });
      return { status: 'ready', database: database.kind };
    } catch (err) {
      return reply.status(503).send({ status: 'unavailable', reason: `database unreachable: ${(err as Error).message}` });
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (api) => {
      await api.register(identityRoutes(database, sessions, { loginPerMinute: config.loginRateLimit }));
      await api.register(userRoutes(database));
      await api.register(referenceRoutes(database));
      await api.register(procedureRoutes(database));
      await api.register(calendarRoutes(database));
      await api.register(settingsRoutes(database));
      await api.register(notificationRoutes(database));
      await api.register(dossierRoutes(database, files, { publicLookupPerMinute: config.publicLookupRateLimit }));
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes({ config, database, sessions }));
  return app;
}
