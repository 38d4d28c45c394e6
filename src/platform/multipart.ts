import type { Multipart } from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Busboy's errors for a body that is not well-formed multipart (plain Errors, told apart by their text). */
const MALFORMED = /^(Multipart: Boundary not found|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data)$/;

/**
 * A multipart body's problems as what they are (platform/http.ts maps every error through this):
 * one that is not well-formed multipart (no boundary, cut short, the stream closed under a part)
 * is a 400; more parts, files or fields than the route takes is a 422 that says so (the size
 * limits stay 413). Before, these were 500s or "too large". Null for any other error.
 */
export function multipartError(fe: FastifyError, req: FastifyRequest): AppError | null {
  if (fe.code === 'FST_PARTS_LIMIT' || fe.code === 'FST_FILES_LIMIT' || fe.code === 'FST_FIELDS_LIMIT') {
    const what = fe.code === 'FST_FILES_LIMIT' ? 'tệp' : fe.code === 'FST_FIELDS_LIMIT' ? 'trường' : 'phần';
    return new AppError('invalid', 'MULTIPART_TOO_MANY_PARTS', { userMessage: `Yêu cầu có quá nhiều ${what} so với số địa chỉ này nhận (xem tài liệu API).` });
  }
  const multipart = /^multipart\//i.test(String(req.headers['content-type'] ?? ''));
  if (multipart && (MALFORMED.test(fe.message) || fe.code === 'ERR_STREAM_PREMATURE_CLOSE')) {
    return new AppError('bad_request', 'MULTIPART_MALFORMED', {
      userMessage: 'Nội dung multipart/form-data không đúng cú pháp (thiếu boundary hoặc bị cắt ngang).',
    });
  }
  return null;
}

/**
 * Runs `handle` on each part of a multipart request, in order, within `limits`. When a limit is
 * reached, @fastify/multipart closes the part being read, so its reader fails with
 * ERR_STREAM_PREMATURE_CLOSE while the real reason (too many fields, files or parts) waits in
 * the part iterator: this throws that reason instead (the iterator is asked for at most 1 s).
 */
export async function eachPart(
  req: FastifyRequest,
  limits: NonNullable<Parameters<FastifyRequest['parts']>[0]>['limits'],
  handle: (part: Multipart) => Promise<void>,
): Promise<void> {
  const parts = req.parts({ limits })[Symbol.asyncIterator]();
  try {
    for (let next = await parts.next(); !next.done; next = await parts.next()) await handle(next.value);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([
      (async () => {
        for (let next = await parts.next(); !next.done; next = await parts.next()) next.value.type === 'file' && next.value.file.resume();
        return null;
      })().catch((e: unknown) => e),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000))),
    ]);
    clearTimeout(timer);
    throw reason ?? err;
  }
}
