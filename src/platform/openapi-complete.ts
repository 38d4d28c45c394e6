import { STATUS_CODES } from 'node:http';
import { ACCESS_MATRIX, type Access } from './access.ts';

/**
 * What @fastify/swagger cannot know from the routes' zod schemas, added to the document it
 * generates (`transformObject`, src/platform/openapi.ts): the error answers, operation ids, the
 * public routes' empty security, the multipart bodies, the binary answers and a few response
 * details. Rules first, decided from what the document and the access matrix already say; the
 * few facts no rule can see (part names, media types of files) are tables keyed by
 * `METHOD /path` (OpenAPI path syntax, as in access.ts), which the tests hold to the routes.
 */

type Json = Record<string, unknown>;
type Schema = Json;
interface Parameter {
  in: string;
  name: string;
  [k: string]: unknown;
}
interface Media {
  schema?: Schema;
  encoding?: Json;
}
interface Response {
  description: string;
  headers?: Record<string, Json>;
  content?: Record<string, Media>;
  [k: string]: unknown;
}
export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, Media>; description?: string };
  responses: Record<string, Response | { $ref: string }>;
  security?: Json[];
  [k: string]: unknown;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; [k: string]: unknown };
  [k: string]: unknown;
}

/** The schemas the document names (components.schemas), given as JSON Schema. */
export interface NamedSchemas {
  /** A dossier's applicant as the API answers it (DossierView.applicant). */
  Applicant: Schema;
  /** The JSON of a create request (POST /dossiers), the `dossier` part of a one-request submission. */
  CreateDossierBody: Schema;
  /** A result to generate (JSON body of POST /dossiers/{id}/result). */
  GeneratedResultBody: Schema;
  /** A procedure version's definition as a request must give it (the service checks it: 422 PROCEDURE_DEFINITION_INVALID). */
  ProcedureDefinition: Schema;
}

/**
 * The bodies whose `definition` the route takes as any value, because the service validates it (its
 * own error code and wording, after NFC): documented with the ProcedureDefinition schema.
 */
const DEFINITION_BODIES = ['POST /api/v1/procedures', 'POST /api/v1/procedures/{code}/versions'];

/** Set on a route's schema by the transform when the route has its own rate limit (`config.rateLimit`); removed here. */
export const RATE_LIMIT_MARK = 'x-tinhso-rate-limited';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PROBLEM_MEDIA = 'application/problem+json';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BINARY: Schema = { type: 'string', format: 'binary' };
const UPLOADED_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];

/** RFC 9457 problem details as the API sends them (platform/http.ts sendProblem), with the extension members it uses. */
export const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable (UPPER_SNAKE); `detail` is a safe message in Vietnamese. Extension members (RFC 9457 §3.2) sit at the top level beside the standard ones; those below are the ones the API sends, others may be added.',
  required: ['type', 'title', 'status', 'code', 'detail', 'instance'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'https://tinhso.gov.vn/problems/<code in kebab-case>' },
    title: { type: 'string', description: 'The kind of error, Vietnamese then English in parentheses' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The path of the request' },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', examples: ['VALIDATION_FAILED', 'DOSSIER_TRANSITION_NOT_ALLOWED'] },
    errors: {
      type: 'array',
      description: 'One entry per wrong field (422)',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', examples: ['applicant.idNumber'] }, message: { type: 'string' } },
        additionalProperties: false,
      },
    },
    action: { type: 'string', description: '409/403 on a workflow action: the action refused' },
    dossierStatus: { type: 'string', description: "409 on a workflow action: the dossier's status" },
    reason: { type: 'string', description: 'Why it was refused (a stable word, e.g. wrong_status)' },
    allowedActions: { type: 'array', items: { type: 'string' }, description: '409 on a workflow action: what the caller may do now' },
    currentVersion: { type: 'integer', description: "412: the dossier's current version (send it in If-Match)" },
    requiredRoles: { type: 'array', items: { type: 'string' }, description: '403 ROLE_REQUIRED: any of these roles may' },
    paymentStatus: { type: 'string', description: '409 on a payment: its status' },
    retryAfter: { type: 'integer', minimum: 0, description: '423/429 on sign-in: seconds to wait (as Retry-After)' },
    lockedUntil: { type: 'string', format: 'date-time', description: '423/429 on sign-in: until when' },
    traceId: { type: 'string', description: '500: quote it when reporting the error' },
  },
  additionalProperties: true,
};

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request could not be read: malformed JSON or multipart, an empty body, a malformed URL.',
  '401': 'Not signed in: the bearer token is missing, malformed, expired or revoked (AUTH_REQUIRED …); on sign-in, wrong credentials.',
  '403': 'Signed in, but this role or person may not do this (ROLE_REQUIRED with `requiredRoles`, DOSSIER_ACTION_FORBIDDEN …).',
  '404': 'Not found, or not visible to the caller: a dossier someone else may not see is a 404, never a 403.',
  '409':
    'The current state does not allow it (DOSSIER_TRANSITION_NOT_ALLOWED with `action`, `dossierStatus`, `reason`, `allowedActions`; IDEMPOTENCY_KEY_REUSED; a name already taken …).',
  '412': 'If-Match names another version of the dossier (DOSSIER_VERSION_STALE): reload; `currentVersion` is the current one.',
  '413': 'The body or a file is too large (PAYLOAD_TOO_LARGE, FILE_TOO_LARGE).',
  '415': 'This operation does not take the body’s media type (UNSUPPORTED_MEDIA_TYPE, MULTIPART_REQUIRED).',
  '422': 'Readable but invalid input: `errors` names each wrong field (VALIDATION_FAILED, or a domain code).',
  '423': 'The account is locked after repeated failed sign-ins (AUTH_ACCOUNT_LOCKED), for Retry-After seconds.',
  '429': 'Too many requests (RATE_LIMITED; AUTH_ADDRESS_BLOCKED on sign-in): wait Retry-After seconds.',
  '5XX': 'A server error (500 INTERNAL_ERROR with `traceId`) or a service not available now (503).',
};

const RETRY_AFTER: Json = { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } };
const ETAG: Json = { description: 'The dossier’s version as a strong entity-tag, e.g. "7": send it back in If-Match', schema: { type: 'string' } };

/**
 * Statuses no rule below can see, by operation: what a service refuses by the state of things or
 * by who asks, where the matrix and the route's inputs say nothing of it. The rules give 403 only
 * for a role the matrix requires and 409 only for an Idempotency-Key; an operation whose service
 * may also refuse the person (403) or the state (409), or answer 404 for a thing its body names,
 * is listed here with those codes, and a new refusal of that kind must be added here.
 */
export const EXTRA_STATUSES: Record<string, readonly string[]> = {
  // Sign-in's own refusals: wrong credentials (401), a locked account (423), a blocked address (429).
  'POST /api/v1/auth/login': ['401', '423', '429'],
  'POST /api/v1/auth/totp': ['401', '423', '429'],
  // The second factor: MFA_ALREADY_ENROLLED, MFA_ENROLMENT_NOT_STARTED, MFA_NOT_ENROLLED, MFA_REQUIRED_FOR_ROLE (409); a code
  // checked counts towards the sign-in lock, so a locked account (423) or blocked address (429) is refused as at sign-in.
  'POST /api/v1/me/totp/enrolment': ['409'],
  'POST /api/v1/me/totp/confirmation': ['409', '423', '429'],
  'POST /api/v1/me/totp/recovery-codes': ['409', '423', '429'],
  'DELETE /api/v1/me/totp': ['409', '423', '429'],
  // A name already taken (USERNAME_TAKEN, AGENCY_IDENTITY_CODE_TAKEN, PROCEDURE_CODE_TAKEN); an administrator locking themself out.
  'POST /api/v1/users': ['409'],
  'PATCH /api/v1/users/{username}': ['409'],
  'PUT /api/v1/agencies/{code}': ['409'],
  'POST /api/v1/procedures': ['409'],
  // Only a draft is published (PROCEDURE_VERSION_NOT_DRAFT).
  'POST /api/v1/procedures/{code}/versions/{version}/publish': ['409'],
  // A staff account's data is not deleted on request (PRIVACY_STAFF_ACCOUNT); a request already resolved (DATA_REQUEST_CLOSED).
  'POST /api/v1/me/data-requests': ['409'],
  'POST /api/v1/data-requests/{id}/resolution': ['409'],
  // Dossiers: who may create one (ROLE_REQUIRED: applicants and the desk) and the procedure it names (PROCEDURE_NOT_FOUND).
  'POST /api/v1/dossiers': ['403', '404'],
  'POST /api/v1/dossiers/submissions': ['403', '404'],
  // The dossier's parties and its state decide (DOSSIER_EDIT_FORBIDDEN, DOSSIER_NOT_EDITABLE, DOSSIER_ACTION_FORBIDDEN,
  // DOSSIER_TRANSITION_NOT_ALLOWED, DOSSIER_PROCEDURE_UPDATED, DOSSIER_RATING_FORBIDDEN, DOSSIER_ALREADY_RATED, DOCUMENT_RESULT_STATE ...).
  'PATCH /api/v1/dossiers/{id}': ['403', '409'],
  'POST /api/v1/dossiers/{id}/files': ['403', '409'],
  'DELETE /api/v1/dossiers/{id}/files/{fileId}': ['403', '409'],
  'POST /api/v1/dossiers/{id}/submit': ['403', '409'],
  'POST /api/v1/dossiers/{id}/actions': ['403', '409'],
  'POST /api/v1/dossiers/{id}/rating': ['403', '409'],
  'POST /api/v1/dossiers/{id}/result': ['409'],
  // Payments: a transaction already resolved (PAYMENT_NOT_HELD), a refund not failed (PAYMENT_REFUND_NOT_FAILED), the webhook's signature.
  'POST /api/v1/payments/transactions/{id}/resolution': ['409'],
  'POST /api/v1/payments/refunds/{id}/retry': ['409'],
  'POST /api/v1/payments/notifications': ['401'],
  // Downloads that depend on a state: a form not issued yet, a payment closed or unpaid.
  'GET /api/v1/dossiers/{id}/documents/{file}': ['409'],
  'GET /api/v1/payments/{id}/qr.png': ['409'],
  'GET /api/v1/payments/{id}/qr.svg': ['409'],
  'GET /api/v1/payments/{id}/receipt.pdf': ['409'],
};

/**
 * Operations whose path parameters name nothing looked up, so they never answer 404: a year, a
 * setting's key (a choice: another is 422), an indicator's key (SERVICE_INDEX_INDICATOR_UNKNOWN is
 * 422), an agency's code that PUT creates when it does not exist.
 */
export const NO_LOOKUP_PATHS: readonly string[] = [
  'GET /api/v1/calendar/{year}',
  'PUT /api/v1/calendar/{year}/overrides',
  'PUT /api/v1/settings/{key}',
  'GET /api/v1/service-index/indicators/{key}/dossiers',
  'PUT /api/v1/agencies/{code}',
];

/** The operations whose answer is the dossier view, sent with its version as ETag (dossiers.routes.ts `view`). */
export const ETAG_OPERATIONS: readonly string[] = [
  'POST /api/v1/dossiers',
  'POST /api/v1/dossiers/submissions',
  'GET /api/v1/dossiers/{id}',
  'PATCH /api/v1/dossiers/{id}',
  'POST /api/v1/dossiers/{id}/submit',
  'POST /api/v1/dossiers/{id}/actions',
];

/**
 * The answers that are files, not JSON: media types of the 200 answer. `alsoJson` keeps the JSON
 * answer the route's schema documents (a report is JSON, CSV or xlsx by its `format` query).
 */
export const BINARY_ANSWERS: Record<string, { types: readonly string[]; description: string; alsoJson?: boolean }> = {
  'GET /api/v1/dossiers/{id}/files/{fileId}': { types: UPLOADED_TYPES, description: 'The file as uploaded (PDF, JPEG or PNG)' },
  'GET /api/v1/dossiers/{id}/documents/{file}': { types: ['application/pdf'], description: 'The form as PDF' },
  'GET /api/v1/reports/register.pdf': { types: ['application/pdf'], description: 'Form 07 as PDF' },
  'GET /api/v1/public/documents/{id}/file': { types: UPLOADED_TYPES, description: 'The sealed document (a generated result is a PDF)' },
  'GET /api/v1/payments/{id}/qr.png': { types: ['image/png'], description: 'The VietQR image' },
  'GET /api/v1/payments/{id}/qr.svg': { types: ['image/svg+xml'], description: 'The VietQR image' },
  'GET /api/v1/payments/{id}/receipt.pdf': { types: ['application/pdf'], description: 'The receipt as PDF' },
  'GET /api/v1/payments/reconciliation.csv': { types: ['text/csv'], description: 'The reconciliation as CSV (UTF-8 with BOM)' },
  'GET /api/v1/reports/handling': { types: ['text/csv', XLSX], alsoJson: true, description: 'JSON, or a download for format=csv or format=xlsx' },
  'GET /api/v1/reports/register': { types: [XLSX], alsoJson: true, description: 'JSON, or a download for format=xlsx' },
};

/**
 * The multipart bodies, which the routes read part by part themselves (platform/multipart.ts
 * eachPart), so their schemas cannot carry them: a zod `body` would make Fastify validate the
 * stream. Each lists its parts as the handler reads them; `json` is the route's other body.
 */
export function multipartBodies(named: NamedSchemas): Record<string, { parts: Schema; encoding?: Json; json?: Schema; description: string }> {
  const file = (description: string): Schema => ({ ...BINARY, description });
  return {
    'POST /api/v1/dossiers/submissions': {
      description:
        'The part `dossier` (the JSON of a create request, as POST /api/v1/dossiers takes it, at most 256 KB) and one file part per document, named by its component code; several parts may share a name. At most 30 files, each within the upload limit (setting upload_max_bytes).',
      parts: {
        type: 'object',
        required: ['dossier'],
        properties: { dossier: named.CreateDossierBody },
        additionalProperties: file('A document for the component this part is named after (PDF, JPEG or PNG)'),
      },
      encoding: { dossier: { contentType: 'application/json' } },
    },
    'POST /api/v1/dossiers/{id}/files': {
      description:
        'multipart/form-data: `component` and one `file` (PDF, JPEG or PNG, within the upload limit); or JSON: reuse a sealed result of the caller’s (`reuseFileId` = its fileId).',
      parts: {
        type: 'object',
        required: ['component', 'file'],
        properties: { component: { type: 'string', description: 'The component code of the procedure' }, file: file('The file (PDF, JPEG or PNG)') },
      },
      json: {
        type: 'object',
        required: ['component', 'reuseFileId'],
        properties: { component: { type: 'string', minLength: 1, maxLength: 64 }, reuseFileId: { type: 'string', format: 'uuid' } },
      },
    },
    'POST /api/v1/dossiers/{id}/result': {
      description: 'multipart/form-data: the result `file` to seal and an optional `title`; or JSON: a result to generate as PDF (`title`, `content`).',
      parts: {
        type: 'object',
        required: ['file'],
        properties: { file: file('The signed result (PDF, JPEG or PNG)'), title: { type: 'string', maxLength: 300 } },
      },
      json: named.GeneratedResultBody,
    },
    'POST /api/v1/public/documents/verification': {
      description: 'multipart/form-data: the `file` to check.',
      parts: { type: 'object', required: ['file'], properties: { file: file('The file to check against the seals') } },
    },
  };
}

/**
 * Operation ids, when a route sets none (`schema.operationId` wins): the HTTP method in lower case
 * (`list` for a GET of a plural collection) and the path's fixed segments in camelCase, without
 * `/api/v1` and the parameters; a segment followed by a parameter is singular. So
 * `GET /dossiers` → listDossiers, `GET /dossiers/{id}` → getDossier, `POST /dossiers/{id}/actions`
 * → postDossierActions, `GET /payments/{id}/qr.png` → getPaymentQrPng. Two operations with one id
 * stop the document (a route then sets its own `schema.operationId`).
 */
export function operationIdOf(method: string, path: string): string {
  const isParam = (s: string) => /^\{[^}]+\}$/.test(s);
  const segments = path
    .replace(/^\/api\/v\d+(?=\/)/, '')
    .split('/')
    .filter(Boolean);
  const words: string[] = [];
  segments.forEach((s, i) => {
    if (isParam(s)) return;
    const parts = s.split(/[-._]+/).filter(Boolean);
    const next = segments[i + 1];
    if (next !== undefined && isParam(next) && parts.length) parts.push(singular(parts.pop()!));
    words.push(...parts);
  });
  const last = segments.at(-1) ?? '';
  const m = method.toLowerCase();
  const verb = m === 'get' && !isParam(last) && !last.includes('.') && isPlural(last) ? 'list' : m;
  return verb + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('');
}

const isPlural = (segment: string) => /[^s]s$/.test(segment);
const singular = (word: string) => (/ies$/.test(word) ? word.replace(/ies$/, 'y') : isPlural(word) ? word.slice(0, -1) : word);

/** The shared error answers (components.responses), by status; operations refer to them with `$ref`. */
export const PROBLEM_RESPONSES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '412': 'PreconditionFailed',
  '413': 'ContentTooLarge',
  '415': 'UnsupportedMediaType',
  '422': 'UnprocessableContent',
  '423': 'Locked',
  '429': 'TooManyRequests',
  '5XX': 'ServerError',
};

const problemResponse = (status: string): Response => ({
  description: ERROR_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
  ...(status === '423' || status === '429' ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
  content: { [PROBLEM_MEDIA]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The error statuses an operation can answer, by rule (see `completeDocument`). */
function errorStatuses(key: string, op: Operation, access: Access | undefined, rateLimited: boolean): string[] {
  const params = op.parameters ?? [];
  const header = (name: string) => params.some((p) => p.in === 'header' && p.name.toLowerCase() === name);
  const hasBody = op.requestBody !== undefined;
  const s = new Set<string>(['400']);
  if (access !== undefined && access !== 'public') s.add('401');
  if (Array.isArray(access)) s.add('403');
  if (params.some((p) => p.in === 'path') && !NO_LOOKUP_PATHS.includes(key)) s.add('404');
  if (header('idempotency-key')) s.add('409');
  if (header('if-match')) s.add('412');
  if (hasBody) ['413', '415'].forEach((x) => s.add(x));
  if (hasBody || params.length) s.add('422');
  if (rateLimited) s.add('429');
  for (const x of EXTRA_STATUSES[key] ?? []) s.add(x);
  return [...s].sort();
}

/** `format: date-time` on the `…At` string fields of answers (every instant is ISO 8601 with +07:00, platform/time.ts). */
function markTimes(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(markTimes);
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  const props = s.properties as Record<string, Json> | undefined;
  if (props) {
    for (const [name, p] of Object.entries(props)) {
      if (!/[a-z]At$/.test(name) || p.format !== undefined) continue;
      const types = [p.type].flat();
      if (types.includes('string') && types.every((t) => t === 'string' || t === 'null')) p.format = 'date-time';
    }
  }
  for (const v of Object.values(s)) markTimes(v);
}

/** `applicant` documented as any value (`z.unknown()` in DossierView) becomes the Applicant schema. */
function nameApplicant(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(nameApplicant);
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  const props = s.properties as Record<string, Json> | undefined;
  if (props?.applicant && Object.keys(props.applicant).length === 0) props.applicant = { $ref: '#/components/schemas/Applicant' };
  for (const v of Object.values(s)) nameApplicant(v);
}

/**
 * Completes the generated document:
 * - `operationId` on every operation (operationIdOf), unique;
 * - `security: []` on the routes access.ts marks public (the others keep the global bearer);
 * - the multipart bodies (multipartBodies) and the binary answers (BINARY_ANSWERS);
 * - the error answers, each `application/problem+json` with the shared `Problem` schema: 400 on
 *   every operation (an unreadable body or URL); 401 when a session is needed (never on a public
 *   route); 403 when the matrix requires a role; 404 with path parameters (but NO_LOOKUP_PATHS);
 *   409 with an Idempotency-Key; 412 with If-Match; 413 and 415 with a body; 422 with any input (a
 *   body or parameters: none without); 429 (with Retry-After) for a rate-limited route; what a
 *   service refuses beyond these (EXTRA_STATUSES: 403 by person, 409 by state ...); and `5XX` everywhere;
 * - the ProcedureDefinition schema for the `definition` of DEFINITION_BODIES;
 * - response descriptions from the status ("OK", "Created"), ETag on the dossier view's answers,
 *   `format: date-time` on the `…At` fields and the Applicant schema for `applicant`.
 */
export function completeDocument(doc: OpenApiDocument, named: NamedSchemas): OpenApiDocument {
  const multipart = multipartBodies(named);
  const ids = new Map<string, string>();
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    const out: Record<string, Operation> = {};
    for (const [method, shared] of Object.entries(item)) {
      if (!METHODS.includes(method)) {
        out[method] = shared;
        continue;
      }
      // One object may serve several methods of a route: each gets its own copy.
      const op = structuredClone(shared);
      const key = `${method.toUpperCase()} ${path}`;
      const access = ACCESS_MATRIX[key];
      const rateLimited = op[RATE_LIMIT_MARK] === true;
      delete op[RATE_LIMIT_MARK];

      op.operationId ??= operationIdOf(method, path);
      const other = ids.get(op.operationId);
      if (other) throw new Error(`OpenAPI: ${key} and ${other} share the operationId ${op.operationId}; give one a schema.operationId`);
      ids.set(op.operationId, key);

      if (access === 'public') op.security = [];

      const body = multipart[key];
      if (body) {
        op.requestBody = {
          required: true,
          description: body.description,
          content: {
            'multipart/form-data': { schema: body.parts, ...(body.encoding ? { encoding: body.encoding } : {}) },
            ...(body.json ? { 'application/json': { schema: body.json } } : {}),
          },
        };
      }

      if (DEFINITION_BODIES.includes(key)) {
        const props = (op.requestBody?.content['application/json']?.schema as Json | undefined)?.properties as Record<string, Json> | undefined;
        if (!props?.definition) throw new Error(`OpenAPI: ${key} has no definition in its body to document`);
        props.definition = {
          $ref: '#/components/schemas/ProcedureDefinition',
          description: 'Checked by the service: a definition that does not fit is 422 PROCEDURE_DEFINITION_INVALID, with each error’s path.',
        };
      }

      const binary = BINARY_ANSWERS[key];
      if (binary) {
        const found = op.responses['200'];
        const ok: Response = found && !('$ref' in found) ? found : { description: 'OK' };
        const json = binary.alsoJson ? (ok.content ?? {}) : {};
        op.responses['200'] = {
          ...ok,
          description: binary.description,
          content: { ...json, ...Object.fromEntries(binary.types.map((t) => [t, { schema: BINARY }])) },
        };
      }

      for (const [status, r] of Object.entries(op.responses)) {
        if ('$ref' in r) continue;
        if (r.description === 'Default Response') r.description = STATUS_CODES[status] ?? r.description;
        if (!status.startsWith('2')) continue;
        for (const media of Object.values(r.content ?? {})) {
          markTimes(media.schema);
          nameApplicant(media.schema);
        }
        if (ETAG_OPERATIONS.includes(key)) r.headers = { ...r.headers, ETag: ETAG };
      }
      for (const status of [...errorStatuses(key, op, access, rateLimited), '5XX']) {
        op.responses[status] ??= { $ref: `#/components/responses/${PROBLEM_RESPONSES[status]}` };
      }
      out[method] = op;
    }
    paths[path] = out;
  }
  return {
    ...doc,
    paths,
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, Problem: PROBLEM_SCHEMA, Applicant: named.Applicant, ProcedureDefinition: named.ProcedureDefinition },
      responses: Object.fromEntries(Object.entries(PROBLEM_RESPONSES).map(([status, name]) => [name, problemResponse(status)])),
    },
  };
}
