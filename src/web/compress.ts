import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Response compression for the portal's pages and stylesheet (phones on slow networks): Brotli
 * when the browser accepts it, else gzip. Dynamic pages use a fast Brotli level (about a
 * millisecond for a 30 KB page); a reverse proxy in front may do the same, and then it sees an
 * already encoded body and leaves it.
 */
export type Encoding = 'br' | 'gzip';

/** Bodies smaller than this are not worth a header and a CPU pass. */
export const MIN_COMPRESS_BYTES = 1024;

/** The encoding to use for an `Accept-Encoding` header (q=0 refuses an encoding). */
export function negotiateEncoding(header: string | string[] | undefined): Encoding | null {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const accepted = new Map<string, number>();
  for (const part of value.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

export function compressBody(body: string | Buffer, encoding: Encoding): Buffer {
  if (encoding === 'br') {
    return brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(body),
      },
    });
  }
  return gzipSync(body, { level: 6 });
}
