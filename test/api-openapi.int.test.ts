import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_MATRIX } from '../src/platform/access.ts';
import {
  BINARY_ANSWERS,
  ETAG_OPERATIONS,
  EXTRA_STATUSES,
  NO_LOOKUP_PATHS,
  PROBLEM_RESPONSES,
  type OpenApiDocument,
  type Operation,
} from '../src/platform/openapi-complete.ts';
import { createTestApp, type TestApp } from './harness.ts';

/**
 * The OpenAPI document of the whole application (src/platform/openapi-complete.ts): every
 * operation named once, its errors documented as the shared Problem, public routes open, multipart
 * bodies and binary answers declared, every `$ref` resolving; and real answers that match it.
 */
let t: TestApp;
let doc: OpenApiDocument;
const operations: { key: string; method: string; path: string; op: Operation }[] = [];

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const DOC_ID = 'https://tinhso.test/openapi.json';
/** An ajv validator for a schema of the document (its `#/components/...` references resolved against the document). */
const validatorOf = (schema: unknown) => ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${DOC_ID}#/components/`)));

beforeAll(async () => {
  // Some generated dossiers too: their views show the demo's applicants (people and organisations).
  t = await createTestApp({ dossiers: 30 });
  const r = await t.request({ method: 'GET', url: '/api/openapi.json' });
  expect(r.status).toBe(200);
  doc = r.json as OpenApiDocument;
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) operations.push({ key: `${method.toUpperCase()} ${path}`, method, path, op });
  }
}, 120_000);
afterAll(async () => t?.close());

const responseOf = (op: Operation, status: string) => {
  const r = op.responses[status] as { $ref?: string; content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> } | undefined;
  if (!r?.$ref) return r;
  return pointer(r.$ref) as typeof r;
};
function pointer(ref: string): unknown {
  expect(ref.startsWith('#/'), ref).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((at, p) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[p] : undefined), doc);
}
const opAt = (method: string, path: string) => doc.paths[path]![method]!;

/** Checks a real answer against the document: its status is listed, its media type too, and the body fits the schema. */
function expectDocumented(method: string, path: string, res: { status: number; headers: Record<string, unknown>; json: unknown }) {
  const op = opAt(method, path);
  const key = String(res.status) in op.responses ? String(res.status) : res.status >= 500 ? '5XX' : String(res.status);
  const r = responseOf(op, key);
  expect(r, `${method} ${path} → ${res.status} is not documented`).toBeDefined();
  const media = String(res.headers['content-type']).split(';')[0]!.trim();
  const schema = r!.content?.[media]?.schema;
  expect(schema, `${method} ${path} → ${res.status} ${media} is not documented`).toBeDefined();
  const validate = validatorOf(schema);
  expect(validate(res.json), `${method} ${path} → ${res.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

describe('the OpenAPI document of every operation', () => {
  it('names every operation, each name once', () => {
    expect(operations.length).toBeGreaterThan(80);
    const ids = operations.map((o) => o.op.operationId);
    for (const o of operations) expect(o.op.operationId, o.key).toMatch(/^[a-z][A-Za-z0-9]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(opAt('get', '/api/v1/dossiers').operationId).toBe('listDossiers');
    expect(opAt('get', '/api/v1/dossiers/{id}').operationId).toBe('getDossier');
    expect(opAt('post', '/api/v1/dossiers/{id}/actions').operationId).toBe('postDossierActions');
  });

  it('lists the errors each operation can answer, as the shared Problem', () => {
    for (const name of Object.values(PROBLEM_RESPONSES)) {
      const r = doc.components?.responses as Record<string, { content: Record<string, { schema: unknown }> }>;
      expect(r[name]?.content['application/problem+json']?.schema, name).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    for (const { key, op } of operations) {
      const statuses = Object.keys(op.responses);
      const has = (s: string) => expect(statuses, `${key} lacks ${s}`).toContain(s);
      has('400');
      has('5XX');
      const params = op.parameters ?? [];
      if (op.requestBody) ['413', '415', '422'].forEach(has);
      if (params.some((p) => p.in === 'path')) has('422');
      if (params.some((p) => p.in === 'path') && !NO_LOOKUP_PATHS.includes(key)) has('404');
      if (params.some((p) => p.name === 'if-match')) has('412');
      if (params.some((p) => p.name === 'idempotency-key')) has('409');
      const access = ACCESS_MATRIX[key];
      expect(access, `${key} is not in the access matrix`).toBeDefined();
      if (access !== 'public') has('401');
      if (Array.isArray(access)) has('403');
      for (const s of EXTRA_STATUSES[key] ?? []) has(s);
      for (const status of Object.keys(op.responses)) {
        if (status.startsWith('2')) continue;
        expect(responseOf(op, status)?.content?.['application/problem+json']?.schema, `${key} ${status}`).toEqual({ $ref: '#/components/schemas/Problem' });
      }
      // Every success answer has a description better than the generator's default.
      for (const r of Object.values(op.responses)) if (!('$ref' in r)) expect(r.description, key).not.toBe('Default Response');
    }
    // The workflow's refusals and the rate limits.
    for (const s of ['403', '404', '409', '412', '422']) expect(Object.keys(opAt('post', '/api/v1/dossiers/{id}/actions').responses)).toContain(s);
    expect(Object.keys(opAt('get', '/api/v1/public/dossiers/{code}').responses)).toContain('429');
    expect(responseOf(opAt('get', '/api/v1/public/dossiers/{code}'), '429')?.headers?.['Retry-After']).toBeDefined();
    expect(Object.keys(opAt('post', '/api/v1/auth/login').responses)).toEqual(expect.arrayContaining(['401', '423', '429']));
  });

  it('lists no error an operation cannot answer', () => {
    const errorsOf = (op: Operation) => Object.keys(op.responses).filter((st) => !st.startsWith('2'));
    for (const { key, op } of operations) {
      const statuses = errorsOf(op);
      const lacks = (st: string, why: string) => expect(statuses, `${key} lists ${st} (${why})`).not.toContain(st);
      const params = op.parameters ?? [];
      const header = (name: string) => params.some((p) => p.in === 'header' && p.name === name);
      const extra = EXTRA_STATUSES[key] ?? [];
      const access = ACCESS_MATRIX[key];
      if (!op.requestBody) ['413', '415'].forEach((st) => lacks(st, 'no body'));
      if (!op.requestBody && !params.length) lacks('422', 'no input to validate');
      if (!header('if-match')) lacks('412', 'no If-Match');
      if (!header('idempotency-key') && !extra.includes('409')) lacks('409', 'no state to conflict with');
      if (access === 'public' && !extra.includes('401')) lacks('401', 'public');
      if (!Array.isArray(access) && !extra.includes('403')) lacks('403', 'no role required, no refusal by person');
      if (!params.some((p) => p.in === 'path') && !extra.includes('404')) lacks('404', 'nothing named to look up');
      if (NO_LOOKUP_PATHS.includes(key)) lacks('404', 'its parameters name nothing looked up');
      if (!extra.includes('423')) lacks('423', 'no account to lock');
    }
    // The clear cases, exactly.
    const exact: Record<string, string[]> = {
      'POST /api/v1/auth/logout': ['400', '401', '5XX'],
      'DELETE /api/v1/me/sessions': ['400', '401', '5XX'],
      'POST /api/v1/me/totp/enrolment': ['400', '401', '409', '5XX'],
      'POST /api/v1/me/totp/confirmation': ['400', '401', '409', '413', '415', '422', '423', '429', '5XX'],
      'GET /api/v1/procedures': ['400', '422', '5XX'],
      'GET /api/v1/procedure-fields': ['400', '5XX'],
      'GET /api/v1/procedures/{code}': ['400', '404', '422', '5XX'],
      'POST /api/v1/procedures/{code}/versions': ['400', '401', '403', '404', '413', '415', '422', '5XX'],
      'POST /api/v1/procedures/{code}/versions/{version}/publish': ['400', '401', '403', '404', '409', '422', '5XX'],
      'PUT /api/v1/settings/{key}': ['400', '401', '403', '413', '415', '422', '5XX'],
      'GET /api/v1/calendar/{year}': ['400', '422', '5XX'],
      'POST /api/v1/me/notifications/{id}/read': ['400', '401', '404', '422', '5XX'],
      'POST /api/v1/dossiers': ['400', '401', '403', '404', '409', '413', '415', '422', '5XX'],
      'POST /api/v1/dossiers/{id}/submit': ['400', '401', '403', '404', '409', '412', '422', '5XX'],
      'POST /api/v1/dossiers/{id}/rating': ['400', '401', '403', '404', '409', '413', '415', '422', '5XX'],
    };
    for (const [key, statuses] of Object.entries(exact)) {
      const o = operations.find((x) => x.key === key);
      expect(o, key).toBeDefined();
      expect(errorsOf(o!.op).sort(), key).toEqual(statuses);
    }
  });

  it('opens the public routes of the access matrix to anyone; the others need the bearer token', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    const publicOps = operations.filter((o) => ACCESS_MATRIX[o.key] === 'public').map((o) => o.key);
    expect(publicOps).toEqual(
      expect.arrayContaining(['POST /api/v1/auth/login', 'GET /api/v1/units', 'GET /api/v1/calendar/{year}', 'GET /api/v1/public/dossiers/{code}']),
    );
    for (const { key, op } of operations) {
      if (ACCESS_MATRIX[key] === 'public') expect(op.security, key).toEqual([]);
      else expect(op.security, key).toBeUndefined();
    }
  });

  it('declares the multipart bodies with their parts', () => {
    const body = (method: string, path: string) => opAt(method, path).requestBody?.content as Record<string, { schema: Record<string, any> }>;
    const submission = body('post', '/api/v1/dossiers/submissions')['multipart/form-data']!.schema;
    expect(submission.required).toEqual(['dossier']);
    expect(submission.properties.dossier.properties.procedureCode).toBeDefined();
    expect(submission.additionalProperties).toMatchObject({ type: 'string', format: 'binary' });
    const files = body('post', '/api/v1/dossiers/{id}/files');
    expect(files['multipart/form-data']!.schema).toMatchObject({ required: ['component', 'file'], properties: { file: { format: 'binary' } } });
    expect(files['application/json']!.schema.required).toEqual(['component', 'reuseFileId']);
    const result = body('post', '/api/v1/dossiers/{id}/result');
    expect(result['multipart/form-data']!.schema).toMatchObject({ required: ['file'], properties: { file: { format: 'binary' }, title: { type: 'string' } } });
    expect(result['application/json']!.schema.required).toEqual(['title', 'content']);
    expect(body('post', '/api/v1/public/documents/verification')['multipart/form-data']!.schema).toMatchObject({ required: ['file'] });
  });

  it('declares the file and CSV answers', () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const expected: Record<string, string[]> = {
      'GET /api/v1/dossiers/{id}/files/{fileId}': ['application/pdf', 'image/jpeg', 'image/png'],
      'GET /api/v1/dossiers/{id}/documents/{file}': ['application/pdf'],
      'GET /api/v1/reports/register.pdf': ['application/pdf'],
      'GET /api/v1/public/documents/{id}/file': ['application/pdf', 'image/jpeg', 'image/png'],
      'GET /api/v1/payments/{id}/qr.png': ['image/png'],
      'GET /api/v1/payments/{id}/qr.svg': ['image/svg+xml'],
      'GET /api/v1/payments/{id}/receipt.pdf': ['application/pdf'],
      'GET /api/v1/payments/reconciliation.csv': ['text/csv'],
      'GET /api/v1/reports/handling': ['application/json', 'text/csv', XLSX],
      'GET /api/v1/reports/register': ['application/json', XLSX],
    };
    expect(Object.keys(BINARY_ANSWERS).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, types] of Object.entries(expected)) {
      const o = operations.find((x) => x.key === key);
      expect(o, key).toBeDefined();
      const content = responseOf(o!.op, '200')!.content!;
      expect(Object.keys(content).sort(), key).toEqual([...types].sort());
      for (const t of types) if (t !== 'application/json') expect(content[t]!.schema, `${key} ${t}`).toEqual({ type: 'string', format: 'binary' });
    }
  });

  it('names only operations that exist in its tables, and sends ETag with the dossier view', () => {
    const keys = new Set(operations.map((o) => o.key));
    for (const k of [...Object.keys(EXTRA_STATUSES), ...ETAG_OPERATIONS, ...NO_LOOKUP_PATHS]) expect(keys.has(k), k).toBe(true);
    for (const k of NO_LOOKUP_PATHS)
      expect(
        operations.find((x) => x.key === k)!.op.parameters?.some((p) => p.in === 'path'),
        k,
      ).toBe(true);
    for (const k of ETAG_OPERATIONS) {
      const o = operations.find((x) => x.key === k)!;
      const ok = Object.entries(o.op.responses).filter(([s]) => s.startsWith('2'));
      for (const [s] of ok) expect(responseOf(o.op, s)?.headers?.ETag, `${k} ${s}`).toBeDefined();
    }
  });

  it('resolves every $ref, and every schema compiles', () => {
    const refs = new Set<string>();
    JSON.stringify(doc, (k, v: unknown) => {
      if (k === '$ref' && typeof v === 'string') refs.add(v);
      return v;
    });
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) expect(pointer(ref), ref).toBeDefined();
    let compiled = 0;
    for (const { op } of operations) {
      const media = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.keys(op.responses).flatMap((s) => Object.values(responseOf(op, s)?.content ?? {})),
      ];
      for (const m of media) if (m.schema) compiled += validatorOf(m.schema) ? 1 : 0;
    }
    expect(compiled).toBeGreaterThan(150);
  });

  it('marks the times of the answers as date-time', () => {
    const view = responseOf(opAt('get', '/api/v1/dossiers/{id}'), '200')!.content!['application/json']!.schema as Record<string, any>;
    for (const f of ['createdAt', 'submittedAt', 'receivedAt', 'dueAt', 'finishedAt', 'returnedAt']) expect(view.properties[f].format, f).toBe('date-time');
    expect(view.properties.applicant).toEqual({ $ref: '#/components/schemas/Applicant' });
  });
});

describe('real answers fit the document', () => {
  const CREATE = { procedureCode: '1.001193', applicant: { type: 'citizen', fullName: 'Nguyễn Văn Tài Liệu', idNumber: '036090001234' }, form: {} };

  it('a dossier created, read, saved with a stale If-Match and refused an action', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: CREATE });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe(`"${created.json.version}"`);
    expectDocumented('post', '/api/v1/dossiers', created);
    const id = created.json.id as string;

    const read = await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}`, as: 'citizen.an' });
    expect(read.headers.etag).toBeDefined();
    expectDocumented('get', '/api/v1/dossiers/{id}', read);

    const stale = await t.request({
      method: 'PATCH',
      url: `/api/v1/dossiers/${id}`,
      as: 'citizen.an',
      headers: { 'if-match': '"999"' },
      payload: { form: {} },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.currentVersion).toBe(created.json.version);
    expectDocumented('patch', '/api/v1/dossiers/{id}', stale);

    const refused = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/actions`, as: 'citizen.an', payload: { action: 'withdraw' } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expectDocumented('post', '/api/v1/dossiers/{id}/actions', refused);

    const invalid = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { ...CREATE, applicant: { type: 'citizen' } } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.errors.length).toBeGreaterThan(0);
    expectDocumented('post', '/api/v1/dossiers', invalid);

    const unreadable = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(unreadable.status).toBe(400);
    expectDocumented('post', '/api/v1/dossiers', unreadable);
  });

  it('the errors of signing in, roles and missing things', async () => {
    const anonymous = await t.request({ method: 'GET', url: '/api/v1/me' });
    expect(anonymous.status).toBe(401);
    expectDocumented('get', '/api/v1/me', anonymous);
    const role = await t.request({ method: 'GET', url: '/api/v1/users', as: 'citizen.an' });
    expect(role.status).toBe(403);
    expect(role.json.requiredRoles).toEqual(['admin']);
    expectDocumented('get', '/api/v1/users', role);
    const missing = await t.request({ method: 'GET', url: '/api/v1/dossiers/00000000-0000-7000-8000-000000000000', as: 'citizen.an' });
    expect(missing.status).toBe(404);
    expectDocumented('get', '/api/v1/dossiers/{id}', missing);
    const wrongType = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(wrongType.status).toBe(415);
    expectDocumented('post', '/api/v1/dossiers', wrongType);
  });

  it('the demo dossiers as the staff see them, applicant included', async () => {
    const list = await t.request({ method: 'GET', url: '/api/v1/dossiers?pageSize=8', as: 'reception.dung' });
    expect(list.status).toBe(200);
    expectDocumented('get', '/api/v1/dossiers', list);
    expect(list.json.items.length).toBeGreaterThan(0);
    for (const item of list.json.items as { id: string }[]) {
      const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${item.id}`, as: 'reception.dung' });
      expectDocumented('get', '/api/v1/dossiers/{id}', view);
      const history = await t.request({ method: 'GET', url: `/api/v1/dossiers/${item.id}/history`, as: 'reception.dung' });
      expectDocumented('get', '/api/v1/dossiers/{id}/history', history);
    }
  });

  it('a procedure as published, with its definition’s shape, and the catalogue’s refusals', async () => {
    const proc = await t.request({ method: 'GET', url: '/api/v1/procedures/1.001193' });
    expect(proc.status).toBe(200);
    expectDocumented('get', '/api/v1/procedures/{code}', proc);
    // The definition is documented member by member (no longer any value), for integrators.
    const definition = (responseOf(opAt('get', '/api/v1/procedures/{code}'), '200')!.content!['application/json']!.schema as Record<string, any>).properties
      .definition;
    expect(definition.type).toBe('object');
    expect(definition.required).toEqual(expect.arrayContaining(['name', 'form', 'workflow', 'fees', 'components', 'duration']));
    const field = definition.properties.form.items;
    expect(Object.keys(field.properties)).toEqual(['key', 'label', 'type', 'required', 'options', 'min', 'max', 'pattern', 'help', 'dateRange', 'step']);
    expect(field.properties.type.enum).toContain('id_number');
    expect(definition.properties.workflow.items.properties.role.enum).toEqual(['specialist', 'leader']);
    expect(validatorOf(definition)({ ...proc.json.definition, form: 'x' })).toBe(false);
    // The requests that give a definition name its schema as a request must give it: strict, so a misspelt key fails it.
    for (const path of ['/api/v1/procedures', '/api/v1/procedures/{code}/versions']) {
      const body = opAt('post', path).requestBody!.content['application/json']!.schema as Record<string, any>;
      expect(body.properties.definition.$ref, path).toBe('#/components/schemas/ProcedureDefinition');
    }
    const asRequested = validatorOf({ $ref: '#/components/schemas/ProcedureDefinition' });
    expect(asRequested(proc.json.definition)).toBe(true);
    expect(asRequested({ ...proc.json.definition, duration: { ...proc.json.definition.duration, units: 'days' } })).toBe(false);

    // Publishing a version that is no draft: 409, listed.
    const again = await t.request({ method: 'POST', url: '/api/v1/procedures/1.001193/versions/1/publish', as: 'admin.lan' });
    expect([again.status, again.json.code]).toEqual([409, 'PROCEDURE_VERSION_NOT_DRAFT']);
    expectDocumented('post', '/api/v1/procedures/{code}/versions/{version}/publish', again);
    // A misspelt key of the definition: 422 naming where.
    const misspelt = await t.request({
      method: 'POST',
      url: '/api/v1/procedures/1.001193/versions',
      as: 'admin.lan',
      payload: { definition: { ...proc.json.definition, duration: { ...proc.json.definition.duration, units: 'days' } } },
    });
    expect(misspelt.status).toBe(422);
    expect(misspelt.json.errors).toEqual([{ path: 'definition.duration', message: 'có trường không được phép: units' }]);
    expectDocumented('post', '/api/v1/procedures/{code}/versions', misspelt);
    // A setting's key is a choice: another is 422, not 404.
    const setting = await t.request({ method: 'PUT', url: '/api/v1/settings/nope', as: 'admin.lan', payload: { value: 1 } });
    expect(setting.status).toBe(422);
    expectDocumented('put', '/api/v1/settings/{key}', setting);
  });

  it('a dossier’s refusals beyond the rules: a procedure that does not exist, a member of staff who may not create one', async () => {
    const unknown = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { ...CREATE, procedureCode: '9.999999' } });
    expect([unknown.status, unknown.json.code]).toEqual([404, 'PROCEDURE_NOT_FOUND']);
    expectDocumented('post', '/api/v1/dossiers', unknown);
    const leader = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'leader.hoa', payload: CREATE });
    expect([leader.status, leader.json.code]).toEqual([403, 'ROLE_REQUIRED']);
    expectDocumented('post', '/api/v1/dossiers', leader);
  });

  it('the reference pages still render the document', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const json = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(json.json().components.schemas.Problem).toBeDefined();
  });
});
