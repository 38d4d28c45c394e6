import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { sendProblem } from '../../platform/http.ts';

/**
 * Errors Fastify's router answers itself, before any hook or error handler (a malformed URL, a
 * path parameter over the router's length limit, a failed constraint), as problem+json like
 * every other error instead of Fastify's own JSON. Found by the API fuzz (test/fuzz.int.test.ts).
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? 414 : err.code === 'FST_ERR_ASYNC_CONSTRAINT' ? 500 : 400;
  const code = tooLong ? 'URI_TOO_LONG' : err.code === 'FST_ERR_BAD_URL' ? 'URL_MALFORMED' : 'BAD_REQUEST';
  void reply
    .status(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://tinhso.gov.vn/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: tooLong ? 'Địa chỉ quá dài (URI too long)' : 'Yêu cầu không hợp lệ (Bad request)',
      status,
      code,
      detail: tooLong ? 'Một phần của địa chỉ quá dài.' : 'Địa chỉ không hợp lệ.',
      instance: (req.url.split('?')[0] ?? '').slice(0, 200),
    });
}

/** True when a value (a parsed body, query or params) holds a NUL character anywhere, a few levels deep. */
export function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 20 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => hasNul(x, depth + 1));
  // Parsed input only (the router's params object has its own prototype); never buffers or streams.
  if (Buffer.isBuffer(v) || typeof (v as { pipe?: unknown }).pipe === 'function') return false;
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
}

/**
 * Refuses a NUL character in path parameters, query strings and JSON bodies with 422 before any
 * handler runs: PostgreSQL text cannot hold one, so it would otherwise surface as a 500 deep in a
 * query (found by the API fuzz), and no legitimate input contains it.
 */
export function installInputGuards(app: FastifyInstance): void {
  const refuse = () => new AppError('invalid', 'INPUT_NUL_CHARACTER', { userMessage: 'Dữ liệu gửi lên chứa ký tự không hợp lệ.' });
  // Parameters and query first, before any other hook can use them; the body once it is parsed.
  app.addHook('onRequest', async (req, reply) => {
    if (!hasNul(req.params) && !hasNul(req.query)) return;
    // Under /api/ always problem+json, even when the router fell back to the portal's catch-all
    // (whose error handler renders pages); elsewhere the route's own error handler answers.
    if (req.url.startsWith('/api/')) return sendProblem(reply, refuse(), req.url.split('?')[0] ?? req.url);
    throw refuse();
  });
  app.addHook('preValidation', async (req) => {
    if (hasNul(req.body)) throw refuse();
  });
}
