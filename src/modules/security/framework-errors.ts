import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badCharactersError, findBadCharacters } from '../../platform/characters.ts';
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

/**
 * Errors of the connection itself, which Node's HTTP parser meets before there is a request (headers
 * over 16 KB, a malformed request line or header, Content-Length with Transfer-Encoding, a request
 * too slow to arrive): answered as problem+json like every other error, then the connection is
 * closed (Fastify's `clientErrorHandler`; its default answers in its own JSON).
 */
export function clientErrors(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, title, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'Tiêu đề yêu cầu quá lớn (Request header fields too large)', 'Các tiêu đề của yêu cầu vượt quá 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'Hết thời gian chờ yêu cầu (Request timeout)', 'Yêu cầu không đến đủ trong thời gian cho phép.']
        : [400, 'BAD_REQUEST', 'Yêu cầu không hợp lệ (Bad request)', 'Yêu cầu HTTP không đúng cú pháp.'];
  const body = JSON.stringify({ type: `https://tinhso.gov.vn/problems/${code.toLowerCase().replace(/_/g, '-')}`, title, status, code, detail });
  if (socket.writable) {
    const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * A body the server would misread: one sent compressed (`Content-Encoding` other than identity: the
 * server does not decompress, and would parse the compressed bytes as text), or declared in a
 * charset other than UTF-8 (every parser here reads UTF-8). 415 (RFC 9110 §15.5.16), else null.
 */
export function bodyEncodingError(contentEncoding: string | undefined, contentType: string | undefined): AppError | null {
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity' && contentEncoding.trim() !== '') {
    return new AppError('unsupported_media_type', 'CONTENT_ENCODING_UNSUPPORTED', {
      userMessage: 'Máy chủ không nhận nội dung nén (Content-Encoding); hãy gửi nội dung không nén.',
    });
  }
  const charset = contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    return new AppError('unsupported_media_type', 'CHARSET_UNSUPPORTED', { userMessage: 'Nội dung phải được mã hoá UTF-8.' });
  }
  return null;
}

/**
 * Refuses a NUL character or a lone surrogate in path parameters, query strings and JSON bodies
 * with 422 before any handler runs: the database cannot store either, so they would otherwise
 * surface as a 500 deep in a query (found by the API fuzz and the session-8 review: even the
 * sign-in, whose failed attempt could then not be audited), and no legitimate input holds them.
 */
export function installInputGuards(app: FastifyInstance): void {
  // Parameters and query first, before any other hook can use them; the body once it is parsed.
  app.addHook('onRequest', async (req, reply) => {
    const encoding = bodyEncodingError(req.headers['content-encoding'], req.headers['content-type']);
    if (encoding) {
      if (req.url.startsWith('/api/')) return sendProblem(reply, encoding, req.url.split('?')[0] ?? req.url);
      throw encoding;
    }
    // Named as validation names them: the path parameter or the query key (the catch-all's `*` is the path itself).
    const inParams = findBadCharacters(req.params);
    const bad = inParams ? { ...inParams, path: inParams.path === '*' ? '(path)' : inParams.path } : findBadCharacters(req.query);
    if (!bad) return;
    const error = badCharactersError(bad.kind, bad.path || '(query)');
    // Under /api/ always problem+json, even when the router fell back to the portal's catch-all
    // (whose error handler renders pages); elsewhere the route's own error handler answers.
    if (req.url.startsWith('/api/')) return sendProblem(reply, error, req.url.split('?')[0] ?? req.url);
    throw error;
  });
  app.addHook('preValidation', async (req) => {
    const bad = findBadCharacters(req.body);
    if (bad) throw badCharactersError(bad.kind, bad.path);
  });
}
