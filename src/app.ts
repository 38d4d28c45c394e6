import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { keyringFor } from './platform/crypto.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { pendingMigrations } from './db/migrate.ts';
import { calendarRoutes } from './modules/calendar/index.ts';
import { dossierRoutes } from './modules/dossiers/dossiers.routes.ts';
import { paymentRoutes } from './modules/payments/payments.routes.ts';
import { identityRoutes } from './modules/identity/identity.routes.ts';
import { userRoutes } from './modules/identity/users.routes.ts';
import { procedureRoutes } from './modules/procedures/procedures.routes.ts';
import { referenceRoutes } from './modules/reference/reference.routes.ts';
import { settingsRoutes } from './modules/settings/settings.routes.ts';
import { reportRoutes } from './modules/reports/index.ts';
import { serviceIndexRoutes } from './modules/service-index/index.ts';
import { notificationRoutes } from './modules/notifications/index.ts';
import { privacyRoutes } from './modules/privacy/privacy.routes.ts';
import { documentRoutes, wellKnownRoutes } from './modules/documents/index.ts';
import { installAccessControl } from './platform/access.ts';
import { bearerToken, SessionStore } from './platform/auth.ts';
import { AppError } from './platform/errors.ts';
import type { LocalFileStore } from './platform/files.ts';
import { installErrorHandling } from './platform/http.ts';
import { installMetrics } from './platform/metrics.ts';
import { installOpenApi } from './platform/openapi.ts';
import { setSettingsReporter } from './platform/settings.ts';
// zod's messages in Vietnamese for every schema (the API's problem+json), set when it loads.
import './platform/schemas.ts';
import { clientErrors, frameworkErrors, installInputGuards, redactingLogger, securityRoutes } from './modules/security/index.ts';
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
    // Credentials and personal data never reach a log line (src/modules/security/redact.ts).
    ...(config.logLevel === 'silent' ? { logger: false } : { loggerInstance: redactingLogger({ level: config.logLevel }) as FastifyBaseLogger }),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestTimeout: 120_000,
    genReqId: () => crypto.randomUUID(),
    // A path parameter of any length reaches its route, whose schema refuses it with 422 naming it,
    // for every method alike. With the router's default (100 characters) an over-long one matched no
    // route: GET fell to the portal's catch-all and answered 405 with an Allow that left GET out.
    // Node refuses a request head over 16 KiB (431) before any routing, so this bound is never reached.
    routerOptions: { maxParamLength: 16 * 1024 },
    frameworkErrors,
    clientErrorHandler: clientErrors,
  }).withTypeProvider<ZodTypeProvider>();

  // A stored setting that no longer fits its schema is set aside for the default: said once in the log (platform/settings.ts).
  const restoreSettingsReporter = setSettingsReporter((w) =>
    app.log.warn(
      { setting: w.key, errors: w.errors },
      'a stored setting does not fit its schema: the default is in force until an administrator saves a valid value',
    ),
  );
  app.addHook('onClose', async () => restoreSettingsReporter());
  // No route takes text/plain: without this Fastify parsed it as a JSON string, which then failed
  // validation (422 "phải là đối tượng"); a body the API does not read is 415, as for XML or a form.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.decorate('keyring', keyringFor(config));
  await installMetrics(app, { config, database });
  installInputGuards(app);

  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024, files: 1 } });
  // GET /api/openapi.json and /api/docs, built on first use (src/platform/openapi.ts).
  installOpenApi(app);

  const sessions = new SessionStore(config.sessionSecret, config.sessionTtlMs);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    // GET /metrics has its own bearer token (METRICS_TOKEN, platform/metrics.ts), not a session.
    // Without an Authorization header there is nothing to resolve (and no route to look up).
    const token = req.headers.authorization === undefined || req.routeOptions.url === '/metrics' ? null : bearerToken(req);
    if (token) {
      req.actor = await sessions.resolve(database.db, token);
      if (!req.actor) {
        throw new AppError('unauthenticated', 'AUTH_SESSION_INVALID', { userMessage: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.' });
      }
    }
  });

  installAccessControl(app);

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

  await app.register(
    async (api) => {
      await api.register(identityRoutes(database, sessions, config));
      await api.register(userRoutes(database));
      await api.register(referenceRoutes(database));
      await api.register(procedureRoutes(database));
      await api.register(calendarRoutes(database));
      await api.register(settingsRoutes(database));
      await api.register(reportRoutes(database));
      await api.register(serviceIndexRoutes(database));
      await api.register(notificationRoutes(database));
      await api.register(privacyRoutes(database, { files, sessions }));
      await api.register(dossierRoutes(database, files, { publicLookupPerMinute: config.publicLookupRateLimit }));
      await api.register(documentRoutes(database, files, config));
      await api.register(securityRoutes(database));
      await api.register(paymentRoutes(database, config.payments));
    },
    { prefix: '/api/v1' },
  );
  await app.register(wellKnownRoutes(config));
  await app.register(webRoutes({ config, database, sessions, files }));
  return app;
}
