import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';

// Findings of the session-8 API review: input that reached the database or the multipart parser
// unchecked and came back as a 500 (some without signing in), and connection-level errors that
// were not problem+json.

let t: TestApp;
let draftId = '';
const PROC = '1.001776';
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };
beforeAll(async () => {
  t = await createTestApp();
  const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${PROC}` })).json.definition;
  const c = await t.request({
    method: 'POST',
    url: '/api/v1/dossiers',
    as: 'citizen.an',
    payload: { procedureCode: PROC, applicant, form: requiredAnswers(def.form) },
  });
  expect(c.status).toBe(201);
  draftId = c.json.id;
});
afterAll(async () => t?.close());

/** A JSON body whose text holds `\ud800` (a lone surrogate: valid JSON, not valid Unicode). */
const loneSurrogate = (template: Record<string, unknown>, key: string) => JSON.stringify(template).replace(`"${key}":"X"`, `"${key}":"a\\ud800b"`);

describe('a lone UTF-16 surrogate in JSON', () => {
  it('is refused with 422 problem+json before it reaches the database, signed in or not', async () => {
    const cases: { method: 'POST' | 'PATCH'; url: string; as?: string; body: string }[] = [
      { method: 'POST', url: '/api/v1/auth/login', body: loneSurrogate({ username: 'X', password: 'x' }, 'username') },
      {
        method: 'POST',
        url: '/api/v1/dossiers',
        as: 'citizen.an',
        body: loneSurrogate({ procedureCode: PROC, applicant: { ...applicant, fullName: 'X' }, form: {} }, 'fullName'),
      },
      {
        method: 'PATCH',
        url: `/api/v1/dossiers/${draftId}`,
        as: 'citizen.an',
        body: loneSurrogate({ applicant: { ...applicant, fullName: 'X' } }, 'fullName'),
      },
      { method: 'PATCH', url: '/api/v1/users/citizen.binh', as: 'admin.lan', body: loneSurrogate({ displayName: 'X' }, 'displayName') },
      // As an escape in a key, and the low half alone.
      { method: 'POST', url: '/api/v1/auth/login', body: '{"username":"x","password":"x","\\udc00":1}' },
    ];
    for (const c of cases) {
      const r = await t.request({
        method: c.method,
        url: c.url,
        ...(c.as ? { as: c.as } : {}),
        headers: { 'content-type': 'application/json' },
        payload: c.body,
      });
      expect(r.status, `${c.method} ${c.url}: ${r.body}`).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json.code).toBe('INPUT_CHARACTER_INVALID');
    }
    // A surrogate pair (an emoji) is ordinary text.
    const ok = await t.request({
      method: 'PATCH',
      url: `/api/v1/dossiers/${draftId}`,
      as: 'citizen.an',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ applicant: { ...applicant, address: { unitCode: '13669', detail: 'Số 1 \ud83c\udfe0' } } }),
    });
    expect(ok.status, ok.body).toBe(200);
  });

  it('inside the dossier field of a one-request submission', async () => {
    const m = multipart({ dossier: loneSurrogate({ procedureCode: PROC, applicant: { ...applicant, fullName: 'X' }, form: {} }, 'fullName') });
    const r = await t.request({ method: 'POST', url: '/api/v1/dossiers/submissions', as: 'citizen.an', ...m });
    expect(r.status, r.body).toBe(422);
    expect(r.json.code).toBe('INPUT_CHARACTER_INVALID');
  });
});

describe('a malformed multipart body', () => {
  const pdf = { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF };
  const routes = () => [
    { url: '/api/v1/public/documents/verification' },
    { url: `/api/v1/dossiers/${draftId}/files`, as: 'citizen.an' },
    { url: '/api/v1/dossiers/submissions', as: 'citizen.an' },
  ];
  it('without a boundary, or cut off before its end, is a 400 problem+json, not a 500', async () => {
    const whole = multipart({ component: 'TK' }, { ...pdf, data: Buffer.concat([SAMPLE_PDF, Buffer.alloc(200, 32)]) });
    const boundary = /boundary=(.*)$/.exec(whole.headers['content-type'])![1]!;
    for (const route of routes()) {
      const noBoundary = await t.request({
        method: 'POST',
        url: route.url,
        ...(route.as ? { as: route.as } : {}),
        headers: { 'content-type': 'multipart/form-data' },
        payload: whole.payload,
      });
      expect(noBoundary.status, `${route.url} ${noBoundary.body}`).toBe(400);
      expect(noBoundary.json.code).toBe('MULTIPART_MALFORMED');
      const cut = await t.request({
        method: 'POST',
        url: route.url,
        ...(route.as ? { as: route.as } : {}),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: whole.payload.subarray(0, whole.payload.length - 30),
      });
      expect(cut.status, `${route.url} ${cut.body}`).toBe(400);
      expect(cut.json.code).toBe('MULTIPART_MALFORMED');
    }
  });

  it('with more fields or files than the request takes, says so (422), not "too large"', async () => {
    const extra = multipart({ x1: '1', x2: '2', x3: '3', x4: '4', x5: '5', x6: '6', component: 'TK' }, pdf);
    const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${draftId}/files`, as: 'citizen.an', ...extra });
    expect(r.status, r.body).toBe(422);
    expect(r.json.code).toBe('MULTIPART_TOO_MANY_PARTS');
    expect(r.json.detail).toContain('quá nhiều');
  });
});

describe('a body the server would misread', () => {
  it('compressed (Content-Encoding) or in a charset other than UTF-8 is a 415, before anything reads it', async () => {
    const body = JSON.stringify({ username: 'citizen.an', password: 'tinhso-demo' });
    const gzip = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: body,
    });
    expect(gzip.status).toBe(415);
    expect(gzip.json.code).toBe('CONTENT_ENCODING_UNSUPPORTED');
    const utf16 = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      payload: body,
    });
    expect(utf16.status).toBe(415);
    expect(utf16.json.code).toBe('CHARSET_UNSUPPORTED');
    for (const type of ['application/json', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"']) {
      const ok = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': type, 'content-encoding': 'identity' },
        payload: body,
      });
      expect(ok.status, type).toBe(200);
    }
  });
});

describe('errors of the connection itself', () => {
  let port = 0;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(request));
      let out = '';
      s.on('data', (d) => (out += d.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
  it('headers too large (431) and a malformed request (400) are answered as problem+json', async () => {
    const big = await raw(`GET /api/v1/procedures HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('content-type: application/problem+json');
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    const bad = await raw('GET /api/v1/procedures HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });
});
