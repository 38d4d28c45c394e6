import type {} from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IsoDay } from '../../platform/schemas.ts';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { ctxOf } from '../../platform/http.ts';
import { getSetting } from '../../platform/settings.ts';
import {
  dossierFormPdf,
  listDossierDocuments,
  listDossierResults,
  listMyResults,
  registerPdf,
  sealedFile,
  sealResult,
  verifyById,
  verifyContent,
} from './documents.service.ts';
import { DOSSIER_FORMS, isDossierForm } from './forms.ts';
import { keyRingFor, publicJwk } from './signing.ts';
import { eachPart } from '../../platform/multipart.ts';
import { IfMatchHeaders, parseIfMatch } from '../dossiers/dossiers.routes.ts';

const IdOrCode = z.object({ id: z.string().min(1).max(80) });

export const DocumentLinkSchema = z.object({ form: z.enum(DOSSIER_FORMS), title: z.string(), url: z.string() });
export const SealedSchema = z.object({
  documentId: z.string().uuid(),
  fileId: z.string().uuid().nullable(),
  dossierCode: z.string(),
  kind: z.enum(['uploaded', 'generated']),
  title: z.string(),
  fileName: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  keyId: z.string(),
  issuer: z.object({ code: z.string(), name: z.string() }),
  issuedAt: z.string(),
  verificationUrl: z.string(),
});
export const VerificationSchema = z.object({
  authentic: z.boolean(),
  documentId: z.string().uuid().nullable(),
  dossierCode: z.string().nullable(),
  issuer: z.object({ code: z.string(), name: z.string() }).nullable(),
  issuedAt: z.string().nullable(),
  sha256: z.string(),
  keyId: z.string().nullable(),
  title: z.string().nullable(),
});
const Jwks = z.object({
  issuer: z.string(),
  algorithm: z.literal('Ed25519'),
  signedMessage: z.string(),
  keys: z.array(
    z.object({
      kty: z.literal('OKP'),
      crv: z.literal('Ed25519'),
      kid: z.string(),
      x: z.string(),
      use: z.literal('sig'),
      alg: z.literal('EdDSA'),
      current: z.boolean(),
    }),
  ),
});
/**
 * A result to generate (JSON body of POST /dossiers/{code}/result); the portal's form checks the same.
 * Strict, as every JSON body: a key the API does not know is refused (422), not dropped.
 */
export const GenerateBody = z.strictObject({ title: z.string().trim().min(3).max(300), content: z.string().trim().min(1).max(20_000) });
const RegisterQuery = z.object({
  unit: z.string().min(1).max(64),
  from: IsoDay,
  to: IsoDay,
});

/** Where links printed on documents point: PUBLIC_BASE_URL, else the address this request came to. */
export function baseUrlOf(config: Config, req: FastifyRequest): string {
  return config.publicBaseUrl ?? `${req.protocol}://${req.host}`;
}

/** Sends a PDF for download with an ASCII and a UTF-8 file name. */
export function sendPdf(reply: FastifyReply, pdf: Buffer, fileName: string, disposition: 'inline' | 'attachment' = 'inline'): FastifyReply {
  const ascii =
    fileName
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_') || 'document.pdf';
  return reply
    .type('application/pdf')
    .header('content-disposition', `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(pdf);
}

/** Reads one multipart upload (field `file`, plus small text fields) within the upload limit. */
async function readUpload(
  req: FastifyRequest,
  maxBytes: number,
): Promise<{ file: { fileName: string; data: Buffer } | undefined; fields: Record<string, string> }> {
  let file: { fileName: string; data: Buffer } | undefined;
  const fields: Record<string, string> = {};
  await eachPart(req, { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 2000 }, async (part) => {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (part.file.truncated)
        throw new AppError('too_large', 'FILE_TOO_LARGE', { userMessage: `Tệp vượt quá giới hạn ${Math.round(maxBytes / 1048576)} MB.` });
      file = { fileName: part.filename || 'tep', data };
    } else {
      fields[part.fieldname] = String(part.value);
    }
  });
  return { file, fields };
}

/**
 * Official forms (01–07) and sealed results under /api/v1 (docs/DOCUMENTS.md). The key ring is
 * loaded at registration, so a bad DOCUMENT_SIGNING_KEYS stops the start.
 */
export function documentRoutes(database: Database, files: LocalFileStore, config: Config): FastifyPluginAsyncZod {
  return async (app) => {
    const ring = await keyRingFor(config);
    const publicLimit = { rateLimit: { max: config.publicLookupRateLimit, timeWindow: '1 minute' } };

    app.get(
      '/dossiers/:id/documents',
      {
        schema: {
          tags: ['documents'],
          summary: 'Official forms (Circular 03/2025) available for a dossier',
          params: IdOrCode,
          response: { 200: z.array(DocumentLinkSchema) },
        },
      },
      async (req) => listDossierDocuments(ctxOf(req, database), req.params.id),
    );

    app.get(
      '/dossiers/:id/documents/:file',
      {
        schema: {
          tags: ['documents'],
          summary: 'One form as PDF (`01.pdf` … `06.pdf`); 409 when the dossier has no such form yet',
          params: IdOrCode.extend({ file: z.string().max(10) }),
          produces: ['application/pdf'],
        },
      },
      async (req, reply) => {
        const m = /^(\d{2})\.pdf$/.exec(req.params.file);
        if (!m || !isDossierForm(m[1]!)) throw notFound('DOCUMENT_FORM_NOT_FOUND', 'mẫu giấy tờ');
        const { pdf, fileName } = await dossierFormPdf(ctxOf(req, database), req.params.id, m[1]);
        return sendPdf(reply, pdf, fileName);
      },
    );

    app.get(
      '/reports/register.pdf',
      {
        schema: {
          tags: ['documents'],
          summary: 'Form 07: the dossier register of a unit (agency code) for a period of receipt dates',
          querystring: RegisterQuery,
          produces: ['application/pdf'],
        },
      },
      async (req, reply) => {
        const { pdf, fileName } = await registerPdf(ctxOf(req, database), req.query);
        return sendPdf(reply, pdf, fileName);
      },
    );

    app.post(
      '/dossiers/:id/result',
      {
        schema: {
          tags: ['documents'],
          summary:
            'Attach and seal the result (multipart: file, title) or generate one (JSON: title, content); staff handling the dossier, in progress or done; 412 on a stale If-Match',
          params: IdOrCode,
          headers: IfMatchHeaders,
          consumes: ['multipart/form-data', 'application/json'],
          response: { 201: SealedSchema },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        const base = baseUrlOf(config, req);
        // Read before the body: a malformed header is refused before an upload is read (422 IF_MATCH_INVALID, as the actions).
        const expectedVersion = parseIfMatch(req.headers['if-match']);
        if (!req.isMultipart()) {
          const body = GenerateBody.safeParse(req.body);
          if (!body.success) {
            throw new AppError('invalid', 'DOCUMENT_RESULT_INPUT', {
              userMessage: 'Cần gửi tệp kết quả (multipart) hoặc tiêu đề và nội dung kết quả.',
              errors: body.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
            });
          }
          return reply.status(201).send(await sealResult(ctx, files, ring, base, req.params.id, { generated: body.data, expectedVersion }));
        }
        const { file, fields } = await readUpload(req, await getSetting(database.db, 'upload_max_bytes'));
        if (!file)
          throw new AppError('invalid', 'DOCUMENT_RESULT_INPUT', {
            userMessage: 'Chưa chọn tệp kết quả.',
            errors: [{ path: 'file', message: 'Chưa chọn tệp' }],
          });
        return reply.status(201).send(await sealResult(ctx, files, ring, base, req.params.id, { file, title: fields.title?.slice(0, 300), expectedVersion }));
      },
    );

    app.get(
      '/dossiers/:id/results',
      { schema: { tags: ['documents'], summary: 'Sealed results of a dossier', params: IdOrCode, response: { 200: z.array(SealedSchema) } } },
      async (req) => listDossierResults(ctxOf(req, database), baseUrlOf(config, req), req.params.id),
    );

    app.get(
      '/me/documents',
      {
        schema: {
          tags: ['documents'],
          summary: "The caller's document store: sealed results of their dossiers (reuse with reuseFileId = fileId)",
          response: { 200: z.array(SealedSchema) },
        },
      },
      async (req) => listMyResults(ctxOf(req, database), baseUrlOf(config, req)),
    );

    app.get(
      '/public/documents/:id/verification',
      {
        config: publicLimit,
        schema: {
          tags: ['public'],
          summary: 'Whether a sealed document is authentic, who issued it and when',
          params: z.object({ id: z.string().uuid() }),
          response: { 200: VerificationSchema },
          security: [],
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return verifyById(database.db, files, ring, req.params.id);
      },
    );

    app.get(
      '/public/documents/:id/file',
      {
        config: publicLimit,
        schema: {
          tags: ['public'],
          summary: 'The sealed document itself (anyone holding its id)',
          params: z.object({ id: z.string().uuid() }),
          produces: ['application/pdf'],
          security: [],
        },
      },
      async (req, reply) => {
        const f = await sealedFile(database.db, files, req.params.id);
        if (f.mediaType === 'application/pdf') return sendPdf(reply, f.data, f.fileName);
        return reply.type(f.mediaType).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store').send(f.data);
      },
    );

    app.post(
      '/public/documents/verification',
      {
        config: publicLimit,
        schema: {
          tags: ['public'],
          summary: 'Check a file (multipart field `file`): authentic when it is a sealed document, unchanged',
          consumes: ['multipart/form-data'],
          response: { 200: VerificationSchema },
          security: [],
        },
      },
      async (req, reply) => {
        if (!req.isMultipart())
          throw new AppError('unsupported_media_type', 'MULTIPART_REQUIRED', { userMessage: 'Hãy gửi tệp cần kiểm tra (multipart/form-data, trường file).' });
        const { file } = await readUpload(req, await getSetting(database.db, 'upload_max_bytes'));
        if (!file || file.data.length === 0)
          throw new AppError('invalid', 'VALIDATION_FAILED', {
            userMessage: 'Chưa chọn tệp cần kiểm tra.',
            errors: [{ path: 'file', message: 'Chưa chọn tệp' }],
          });
        reply.header('cache-control', 'no-store');
        return verifyContent(database.db, ring, file.data);
      },
    );
  };
}

/** `GET /.well-known/tinhso-keys.json`: the public keys that verify seals, the current one first. */
export function wellKnownRoutes(config: Config): FastifyPluginAsyncZod {
  return async (app) => {
    const ring = await keyRingFor(config);
    app.get(
      '/.well-known/tinhso-keys.json',
      { schema: { tags: ['public'], summary: 'Public keys of the document seal (JWKS-like)', response: { 200: Jwks }, security: [] } },
      async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return {
          issuer: config.publicBaseUrl ?? 'tinhso',
          algorithm: 'Ed25519' as const,
          signedMessage: 'UTF-8 lines joined by \\n: tinhso-seal-v1, documentId, sha256 (hex), dossierCode, issuerAgencyCode, issuedAt (ISO 8601 UTC)',
          keys: ring.keys.map((k) => ({ ...publicJwk(k), current: k.kid === ring.current.kid })),
        };
      },
    );
  };
}
