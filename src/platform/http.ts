import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { Database } from '../db/client.ts';
import type { Actor, Ctx } from './context.ts';
import type { Keyring } from './crypto.ts';
import { AppError, statusOf, titleOf, type FieldError } from './errors.ts';
import { multipartError } from './multipart.ts';
import { routeMissing } from './method-not-allowed.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** The data keyring of this app's configuration (personal data at rest). */
    keyring: Keyring;
  }
}

/** The per-request context handed to use cases. */
export function ctxOf(req: FastifyRequest, database: Database): Ctx {
  return { db: database.db, actor: req.actor, now: new Date(), log: req.log, ip: req.ip, keyring: req.server.keyring };
}

function zodPath(p: string): string {
  // '/body/applicant/fullName' or '.applicant.fullName' → 'applicant.fullName'
  return p
    .replace(/^\/?(body|querystring|params|headers)\/?/, '')
    .replace(/^[./]+/, '')
    .replace(/\//g, '.');
}

/** The 401s of a bearer token that was sent but is not (or no longer) a session: RFC 6750 §3.1 `invalid_token`. */
const INVALID_TOKEN_CODES = new Set(['AUTH_SESSION_INVALID', 'AUTH_TOKEN_MALFORMED']);

/**
 * The `WWW-Authenticate` of a 401 (RFC 9110 §15.5.2 requires one): the error's own challenge, else
 * `Bearer`, with `error="invalid_token"` when the token sent is unknown, expired or malformed
 * (RFC 6750 §3). No `error` when none was sent (§3.1) or when the sign-in itself failed.
 */
function challengeOf(err: AppError): string {
  if (err.challenge) return err.challenge;
  return INVALID_TOKEN_CODES.has(err.code) ? 'Bearer error="invalid_token"' : 'Bearer';
}

/** RFC 9457 problem+json for every error; one place maps kinds to statuses. */
export function sendProblem(reply: FastifyReply, err: AppError, instance: string): FastifyReply {
  const status = statusOf(err.kind);
  if (status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', challengeOf(err));
  const body: Record<string, unknown> = {
    type: `https://tinhso.gov.vn/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(err.kind),
    status,
    code: err.code,
    detail: err.userMessage ?? titleOf(err.kind),
    instance,
  };
  // Path and message only: a field error's reason and values are for the pages (FieldError).
  if (err.errors?.length) body.errors = err.errors.map((e) => ({ path: e.path, message: e.message }));
  // Extension members (RFC 9457 §3.2) never replace the standard ones.
  for (const [k, v] of Object.entries(err.details ?? {})) if (!(k in body)) body[k] = v;
  return reply.status(status).type('application/problem+json; charset=utf-8').send(body);
}

/** Turns whatever was thrown into an AppError; unknown errors become a generic 500. */
export function toAppError(err: unknown, req: FastifyRequest): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors: FieldError[] = err.validation.map((v) => {
      const params = v.params as { issue?: { path?: (string | number)[] } } | undefined;
      const path = params?.issue?.path?.join('.') ?? zodPath(v.instancePath);
      return { path: path || zodPath(v.instancePath) || '(body)', message: v.message ?? 'không hợp lệ' };
    });
    return new AppError('invalid', 'VALIDATION_FAILED', { userMessage: 'Dữ liệu gửi lên không hợp lệ.', errors });
  }
  if (isResponseSerializationError(err)) {
    req.log.error({ err, cause: err.cause }, 'response did not match its schema');
    return new AppError('internal', 'INTERNAL_ERROR');
  }
  const fe = err as FastifyError;
  const multipartProblem = multipartError(fe, req);
  if (multipartProblem) return multipartProblem;
  if (fe.validation) {
    return new AppError('invalid', 'VALIDATION_FAILED', {
      userMessage: 'Dữ liệu gửi lên không hợp lệ.',
      errors: fe.validation.map((v) => ({ path: zodPath(v.instancePath) || '(body)', message: v.message ?? 'không hợp lệ' })),
    });
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    switch (fe.statusCode) {
      case 413:
        return new AppError('too_large', 'PAYLOAD_TOO_LARGE', { userMessage: 'Dữ liệu gửi lên quá lớn.' });
      case 415:
        // No parser for the body's type (XML, a form, text/plain, none at all): the API reads JSON and, for files, multipart.
        return new AppError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', {
          userMessage: 'Máy chủ chỉ đọc nội dung application/json (và multipart/form-data khi gửi tệp).',
        });
      case 429:
        return new AppError('rate_limited', 'RATE_LIMITED', { userMessage: 'Bạn gửi quá nhiều yêu cầu, hãy thử lại sau ít phút.' });
      case 404:
        return new AppError('not_found', 'NOT_FOUND');
      default:
        // 400: the body could not be read at all (broken JSON, empty body); 422 is for readable but wrong data.
        return new AppError(
          fe.statusCode === 400 ? 'bad_request' : 'invalid',
          fe.code && /^FST_/.test(fe.code) ? fe.code.replace(/^FST_/, 'HTTP_') : 'BAD_REQUEST',
          {
            userMessage: 'Yêu cầu không hợp lệ.',
          },
        );
    }
  }
  return new AppError('internal', 'INTERNAL_ERROR', { cause: err });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const appErr = toAppError(err, req);
    if (appErr.kind === 'internal') req.log.error({ err, reqId: req.id }, 'unhandled error');
    const e = appErr.kind === 'internal' ? new AppError('internal', appErr.code, { details: { traceId: req.id } }) : appErr;
    return sendProblem(reply, e, req.url.split('?')[0] ?? req.url);
  });
  app.setNotFoundHandler((req, reply) => {
    // 404, or 405 with Allow for a path that exists under other methods (platform/method-not-allowed.ts).
    const missing = routeMissing(req);
    if (missing.allow) reply.header('allow', missing.allow);
    return sendProblem(reply, missing.error, req.url.split('?')[0] ?? req.url);
  });
}
