import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.ts';
import { searchProcedures } from '../modules/procedures/procedures.service.ts';
import { ctxOf } from '../platform/http.ts';
import { record, str, type WebHelpers } from './application.routes.ts';
import { negotiateEncoding, type Encoding } from './compress.ts';
import { searchResults } from './pages.ts';
import { PORTAL_JS } from './portal-js.ts';

const YEAR_SECONDS = 365 * 24 * 3600;
/** The page size of the search page (`/thu-tuc`) and its results fragment, so a shared URL shows the same results. */
export const SEARCH_PAGE_SIZE = 20;

/**
 * The procedure search of the portal from its query string (`q`, `linh-vuc`, `muc-do`, `trang`),
 * for the search page and its results fragment alike. A page past the end (an old link after the
 * catalogue shrank) shows the last page.
 */
export async function procedureSearch(req: FastifyRequest, database: Database, pageSize: number) {
  const q = record(req.query);
  const text = str(q.q, 200);
  const field = str(q['linh-vuc'], 64);
  const levelIn = str(q['muc-do'], 10);
  const level: 'full' | 'partial' | '' = levelIn === 'full' || levelIn === 'partial' ? levelIn : '';
  const pageIn = Number.parseInt(str(q.trang, 6), 10);
  const page = Number.isInteger(pageIn) && pageIn >= 1 && pageIn <= 10_000 ? pageIn : 1;
  const search = (n: number) =>
    searchProcedures(ctxOf(req, database), { q: text || undefined, field: field || undefined, level: level || undefined, page: n, pageSize });
  const first = await search(page);
  const last = Math.max(1, Math.ceil(first.total / pageSize));
  const [shown, result] = page > last ? [last, await search(last)] : [page, first];
  return { text, field, level, shown, result };
}

/**
 * What the portal's script uses: the script itself (`/assets/portal.js`, compressed once at
 * start with the best Brotli and gzip levels, cached a year: the page links it with its hash)
 * and the results part of the procedure search (`/tim-kiem`, the same parameters as `/thu-tuc`),
 * for the instant search. Nothing here is needed when JavaScript is off.
 */
export function registerEnhanceRoutes(app: FastifyInstance, h: WebHelpers): void {
  const encoded: Record<Encoding, Buffer> = {
    br: brotliCompressSync(PORTAL_JS, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    }),
    gzip: gzipSync(PORTAL_JS, { level: 9 }),
  };

  app.get('/assets/portal.js', { schema: { hide: true } }, async (req, reply) => {
    reply.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`).header('vary', 'Accept-Encoding').type('text/javascript; charset=utf-8');
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    if (!encoding) return reply.send(PORTAL_JS);
    return reply.header('content-encoding', encoding).send(encoded[encoding]);
  });

  app.get('/tim-kiem', { schema: { hide: true } }, async (req, reply) => {
    const { text, field, level, shown, result } = await procedureSearch(req, h.database, SEARCH_PAGE_SIZE);
    const p = h.pageCtx(req, reply);
    const body = searchResults(
      p,
      { q: text, field, level, page: shown, pageSize: SEARCH_PAGE_SIZE, total: result.total, items: result.items },
      { live: false },
    );
    return h.send(reply, 200, body.value);
  });
}
