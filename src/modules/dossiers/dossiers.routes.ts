import type {} from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { assertGoodCharacters } from '../../platform/characters.ts';
import { AppError } from '../../platform/errors.ts';
import { sendInlineFile, type LocalFileStore } from '../../platform/files.ts';
import { ctxOf } from '../../platform/http.ts';
import { eachPart } from '../../platform/multipart.ts';
import { getSetting } from '../../platform/settings.ts';
import {
  ActionBody,
  CreateDossierBody,
  DossierListItem,
  DossierView,
  HistoryEntry,
  ListQuery,
  PatchDossierBody,
  PublicDossier,
  RatingBody,
} from './dossiers.schemas.ts';
import {
  attachFile,
  createDossier,
  getFile,
  performAction,
  rateDossier,
  removeFile,
  reuseFile,
  submitDossier,
  submitNewDossier,
  updateDossier,
  type Upload,
} from './dossiers.service.ts';
import { getDossierView, getHistory, listDossiers, publicLookup } from './dossiers.views.ts';

const IdOrCode = z.object({ id: z.string().min(1).max(80) });
const IdempotencyHeaders = z
  .object({
    'idempotency-key': z
      .string()
      .min(8)
      .max(200)
      .regex(/^[\x21-\x7e]+$/)
      .optional(),
  })
  .passthrough();
/** The `If-Match` request header of the routes that change a dossier (documents' result route too). */
export const IfMatchHeaders = z.object({ 'if-match': z.string().max(1000).optional() }).passthrough();
/** Files one whole submission may carry (a procedure rarely asks for more than a dozen documents). */
const MAX_FILES_PER_SUBMISSION = 30;
const FileResult = z.object({ fileId: z.string(), sha256: z.string(), size: z.number(), mediaType: z.string() });

/**
 * One member of an If-Match list and the comma after it (RFC 9110 §5.6.1 lists may hold empty
 * members): a strong or weak entity-tag (§8.8.3), or a bare version number, this API's older form.
 */
const IF_MATCH_MEMBER = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"|(\d+))?[ \t]*(?:,|$)/y;

/**
 * The versions an `If-Match` header accepts (RFC 9110 §13.1.1): absent, empty or `*` → undefined
 * (any version of an existing dossier); else the list's members that can equal a version, compared
 * strongly: `"7"` and the bare `7` name version 7, while a weak tag (`W/"7"`) or a tag that is not
 * a version (`"abc"`, `"07"`, `"9999999999"`) matches nothing, so the service answers 412 with the
 * current version. Only a value that is not an entity-tag list at all is a 422.
 */
export function parseIfMatch(h: string | undefined): readonly number[] | undefined {
  if (h === undefined || h.trim() === '' || h.trim() === '*') return undefined;
  const versions: number[] = [];
  for (let at = 0; at < h.length;) {
    IF_MATCH_MEMBER.lastIndex = at;
    const m = IF_MATCH_MEMBER.exec(h);
    if (!m || IF_MATCH_MEMBER.lastIndex === at) {
      // Named as a header is in every validation error (the `headers` schemas): its lower-case name.
      throw new AppError('invalid', 'IF_MATCH_INVALID', {
        userMessage: 'Tiêu đề If-Match phải là số phiên bản của hồ sơ, ví dụ "7", hoặc danh sách các số đó.',
        errors: [{ path: 'if-match', message: 'không phải danh sách entity-tag, ví dụ "7" hoặc "6", "7"' }],
      });
    }
    at = IF_MATCH_MEMBER.lastIndex;
    const tag = m[1] ? undefined : (m[2] ?? m[3]);
    if (tag !== undefined && /^(?:0|[1-9]\d{0,14})$/.test(tag)) versions.push(Number(tag));
  }
  return versions;
}

export function dossierRoutes(database: Database, files: LocalFileStore, limits: { publicLookupPerMinute: number }): FastifyPluginAsyncZod {
  return async (app) => {
    const view = async (req: Parameters<typeof ctxOf>[0], reply: { header: (k: string, v: string) => unknown }, id: string) => {
      const v = await getDossierView(ctxOf(req, database), id);
      reply.header('etag', `"${v.version}"`);
      return v;
    };

    app.post(
      '/dossiers',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Create a draft dossier (Idempotency-Key honoured)',
          headers: IdempotencyHeaders,
          body: CreateDossierBody,
          response: { 201: DossierView, 200: DossierView },
        },
      },
      async (req, reply) => {
        const r = await createDossier(ctxOf(req, database), req.body, req.headers['idempotency-key']);
        const v = await view(req, reply, r.id);
        return reply.status(r.replayed ? 200 : 201).send(v);
      },
    );

    app.post(
      '/dossiers/submissions',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Create, attach and submit in one request, all or nothing (Idempotency-Key honoured)',
          description:
            'multipart/form-data: a field `dossier` holding the JSON of a create request (procedureCode, applicant, form, ...), and ' +
            'one file part per document, named by its component code (several parts may share one). The answer is the submitted dossier ' +
            '(201), or the same dossier again (200) for a repeated Idempotency-Key.',
          headers: IdempotencyHeaders,
          consumes: ['multipart/form-data'],
          response: { 201: DossierView, 200: DossierView },
        },
      },
      async (req, reply) => {
        if (!req.isMultipart()) {
          throw new AppError('unsupported_media_type', 'MULTIPART_REQUIRED', {
            userMessage: 'Gửi hồ sơ dưới dạng multipart/form-data: trường dossier và các tệp.',
          });
        }
        const maxBytes = await getSetting(database.db, 'upload_max_bytes');
        let dossier: string | undefined;
        const uploads: Upload[] = [];
        await eachPart(req, { fileSize: maxBytes, files: MAX_FILES_PER_SUBMISSION, fields: 1, fieldSize: 256 * 1024 }, async (part) => {
          if (part.type === 'file') {
            const data = await part.toBuffer();
            if (part.file.truncated)
              throw new AppError('too_large', 'FILE_TOO_LARGE', { userMessage: `Tệp vượt quá giới hạn ${Math.round(maxBytes / 1048576)} MB.` });
            uploads.push({ component: part.fieldname, fileName: part.filename || 'tep', data });
          } else if (part.fieldname === 'dossier') {
            if (part.valueTruncated) throw new AppError('too_large', 'PAYLOAD_TOO_LARGE', { userMessage: 'Trường dossier dài quá 256 KB.' });
            dossier = String(part.value);
          }
        });
        let json: unknown;
        try {
          json = dossier === undefined ? undefined : JSON.parse(dossier);
        } catch {
          json = undefined;
        }
        // The body guard (security/framework-errors.ts) sees multipart fields as text only.
        assertGoodCharacters(json, 'dossier');
        const body = CreateDossierBody.safeParse(json);
        if (!body.success) {
          throw new AppError('invalid', 'VALIDATION_FAILED', {
            userMessage: 'Trường dossier phải là JSON của một yêu cầu tạo hồ sơ.',
            errors:
              dossier === undefined || json === undefined
                ? [{ path: 'dossier', message: 'Thiếu hoặc không phải JSON' }]
                : body.error.issues.map((i) => ({ path: ['dossier', ...i.path].join('.'), message: i.message })),
          });
        }
        const r = await submitNewDossier(ctxOf(req, database), files, body.data, uploads, req.headers['idempotency-key']);
        const v = await view(req, reply, r.id);
        return reply.status(r.replayed ? 200 : 201).send(v);
      },
    );

    app.get(
      '/dossiers',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Dossiers the caller may see, filtered and paged',
          querystring: ListQuery,
          response: { 200: z.object({ items: z.array(DossierListItem), total: z.number().int() }) },
        },
      },
      async (req) => listDossiers(ctxOf(req, database), req.query),
    );

    app.get(
      '/dossiers/:id',
      { schema: { tags: ['dossiers'], summary: 'One dossier by id or code', params: IdOrCode, response: { 200: DossierView } } },
      async (req, reply) => view(req, reply, req.params.id),
    );

    app.patch(
      '/dossiers/:id',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Save a draft (If-Match honoured)',
          params: IdOrCode,
          headers: IfMatchHeaders,
          body: PatchDossierBody,
          response: { 200: DossierView },
        },
      },
      async (req, reply) => {
        const id = await updateDossier(ctxOf(req, database), req.params.id, req.body, parseIfMatch(req.headers['if-match']));
        return view(req, reply, id);
      },
    );

    app.post(
      '/dossiers/:id/files',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Attach a file to a component (multipart: component, file) or reuse an earlier one (JSON: component, reuseFileId)',
          params: IdOrCode,
          consumes: ['multipart/form-data', 'application/json'],
          response: { 201: FileResult },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        if (!req.isMultipart()) {
          const body = z.strictObject({ component: z.string().min(1).max(64), reuseFileId: z.string().uuid() }).safeParse(req.body);
          if (!body.success) {
            throw new AppError('invalid', 'VALIDATION_FAILED', {
              userMessage: 'Cần gửi tệp (multipart) hoặc mã tệp để dùng lại.',
              errors: body.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
            });
          }
          return reply.status(201).send(await reuseFile(ctx, req.params.id, { component: body.data.component, fileId: body.data.reuseFileId }));
        }
        const maxBytes = await getSetting(database.db, 'upload_max_bytes');
        let component: string | undefined;
        let file: { fileName: string; data: Buffer } | undefined;
        await eachPart(req, { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1000 }, async (part) => {
          if (part.type === 'file') {
            const data = await part.toBuffer();
            if (part.file.truncated)
              throw new AppError('too_large', 'FILE_TOO_LARGE', { userMessage: `Tệp vượt quá giới hạn ${Math.round(maxBytes / 1048576)} MB.` });
            file = { fileName: part.filename || 'tep', data };
          } else if (part.fieldname === 'component') {
            component = String(part.value);
          }
        });
        const errors = [];
        if (!component) errors.push({ path: 'component', message: 'Chưa chọn thành phần hồ sơ' });
        if (!file) errors.push({ path: 'file', message: 'Chưa chọn tệp' });
        if (errors.length) throw new AppError('invalid', 'VALIDATION_FAILED', { userMessage: 'Thiếu thông tin tệp đính kèm.', errors });
        return reply.status(201).send(await attachFile(ctx, files, req.params.id, { component: component!, ...file! }));
      },
    );

    app.delete(
      '/dossiers/:id/files/:fileId',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Remove a file from a draft',
          params: IdOrCode.extend({ fileId: z.string().uuid() }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await removeFile(ctxOf(req, database), req.params.id, req.params.fileId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/dossiers/:id/files/:fileId',
      { schema: { tags: ['dossiers'], summary: 'Download an attached file', params: IdOrCode.extend({ fileId: z.string().uuid() }) } },
      async (req, reply) => {
        const f = await getFile(ctxOf(req, database), req.params.id, req.params.fileId);
        return sendInlineFile(reply, f, await files.read(f.storageKey));
      },
    );

    app.post(
      '/dossiers/:id/submit',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Submit a complete draft; issues the dossier code (Idempotency-Key and If-Match honoured)',
          params: IdOrCode,
          headers: IdempotencyHeaders.merge(IfMatchHeaders),
          response: { 200: DossierView },
        },
      },
      async (req, reply) => {
        const id = await submitDossier(ctxOf(req, database), req.params.id, {
          idempotencyKey: req.headers['idempotency-key'],
          ifMatch: parseIfMatch(req.headers['if-match']),
        });
        return view(req, reply, id);
      },
    );

    app.post(
      '/dossiers/:id/actions',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Take a workflow action (409 in the wrong state, 403 for the wrong role, 412 on a stale If-Match)',
          params: IdOrCode,
          headers: IfMatchHeaders,
          body: ActionBody,
          response: { 200: DossierView },
        },
      },
      async (req, reply) => {
        const id = await performAction(ctxOf(req, database), req.params.id, req.body, parseIfMatch(req.headers['if-match']));
        return view(req, reply, id);
      },
    );

    app.get(
      '/dossiers/:id/history',
      { schema: { tags: ['dossiers'], summary: 'The append-only history of a dossier', params: IdOrCode, response: { 200: z.array(HistoryEntry) } } },
      async (req) => getHistory(ctxOf(req, database), req.params.id),
    );

    app.post(
      '/dossiers/:id/rating',
      { schema: { tags: ['dossiers'], summary: 'Rate a returned dossier, once (applicant)', params: IdOrCode, body: RatingBody, response: { 204: z.null() } } },
      async (req, reply) => {
        await rateDossier(ctxOf(req, database), req.params.id, req.body);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/public/dossiers/:code',
      {
        config: { rateLimit: { max: limits.publicLookupPerMinute, timeWindow: '1 minute' } },
        // The hottest public route: publicLookup builds exactly the PublicDossier fields in its
        // order, so plain JSON.stringify gives the same bytes as the zod serializer without
        // re-validating every answer (the schema still documents it). docs/PERFORMANCE.md.
        serializerCompiler: () => (data) => JSON.stringify(data),
        schema: {
          tags: ['public'],
          summary: 'Look up a dossier by code without signing in (nothing personal)',
          params: z.object({ code: z.string().min(5).max(80) }),
          response: { 200: PublicDossier },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return publicLookup(database.db, req.params.code);
      },
    );
  };
}
