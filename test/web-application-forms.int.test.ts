import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { createTestApp, multipartParts, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, walkInForm, webClient, type WebRes } from './web-client.ts';
import { workflowSteps } from './workflow-steps.ts';

/**
 * The citizen's dossier forms against a double post, the wrong state, the wrong kind of user and
 * hand-made requests: an upload posted twice stores once, a refused rating says why, staff posting
 * the applicant's forms are sent to their own page with nothing done, two files or a bad version
 * are refused in words, and no route answers twice ("Reply was already sent").
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const PROC = '1.001776';
const APPLICANT = { 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '036090001234', 'a-phone': '', 'a-email': '' };
const API_APPLICANT = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };
const { get, postForm, signIn } = webClient(() => t);
const steps = workflowSteps(() => t);

const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';
const formVersion = (body: string, action: string) => new RegExp(`action="/ho-so/[^"]+/${action}"[^]*?name="version" value="(\\d+)"`).exec(body)?.[1] ?? '';
const nonceOf = (body: string) => /name="nonce" value="([^"]+)"/.exec(body)?.[1] ?? '';
/** The upload form's fields of a component, as the browser sends them. */
const uploadFields = (body: string, component: string) => {
  const start = body.indexOf(`name="component" value="${component}"`);
  expect(start, `upload form of ${component}`).toBeGreaterThan(-1);
  const form = body.slice(body.lastIndexOf('<form', start), body.indexOf('</form>', start));
  return { csrf: csrfOf(form), component, nonce: nonceOf(form) };
};

async function sendUpload(url: string, fields: Record<string, string>, files: { name: string; data: Buffer }[], cookie: string): Promise<WebRes> {
  const m = multipartParts(
    fields,
    files.map((f) => ({ field: 'file', name: f.name, type: 'application/pdf', data: f.data })),
  );
  const res = await t.app.inject({ method: 'POST', url, payload: m.payload, headers: { ...m.headers, cookie } });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

const fileNames = async (id: string) =>
  (
    await queryRows<{ name: string }>(
      t.database.db,
      sql`SELECT file_name AS name FROM dossier_files WHERE dossier_id = ${id} AND removed_at IS NULL ORDER BY created_at, id`,
    )
  ).map((r) => r.name);
const historyCount = async (id: string, action: string) =>
  Number(
    (await queryRows<{ n: number | string }>(t.database.db, sql`SELECT count(*) AS n FROM dossier_history WHERE dossier_id = ${id} AND action = ${action}`))[0]
      ?.n ?? 0,
  );
const dossierRow = async (id: string) =>
  (await queryRows<{ status: string; version: number }>(t.database.db, sql`SELECT status, version FROM dossiers WHERE id = ${id}`))[0]!;

let an = '';
let dung = '';
beforeAll(async () => {
  an = (await signIn('citizen.an')).cookie;
  dung = (await signIn('reception.dung')).cookie;
});

async function newDraft(): Promise<string> {
  const start = await get(`/ho-so/moi?thu-tuc=${PROC}`, an);
  const created = await postForm('/ho-so/moi', { csrf: csrfOf(start.body), nonce: nonceOf(start.body), 'thu-tuc': PROC, ...APPLICANT }, an);
  expect(created.status).toBe(303);
  return String(created.headers.location).split('/').pop()!;
}

/** Every warning the app logs while a test runs (the test app's logger is the silent one; it is watched). */
let warn: { mock: { calls: unknown[][] }; mockRestore: () => void } | null = null;
const warnings = (): string[] =>
  (warn?.mock.calls ?? []).map((c: unknown[]) => JSON.stringify(c, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v)));
afterEach(() => {
  warn?.mockRestore();
  warn = null;
});
const watchWarnings = () => {
  warn = vi.spyOn(t.app.log, 'warn');
};

describe('uploads', () => {
  it('stores a file once when the same upload form is posted twice, also at the same time', async () => {
    const id = await newDraft();
    const page = await get(`/ho-so/${id}`, an);
    const fields = uploadFields(page.body, 'to_khai');
    expect(fields.nonce).toMatch(/^[0-9a-f]{24}$/);
    const file = [{ name: 'double.pdf', data: SAMPLE_PDF }];
    const [a, b] = await Promise.all([sendUpload(`/ho-so/${id}/tep`, fields, file, an), sendUpload(`/ho-so/${id}/tep`, fields, file, an)]);
    for (const r of [a, b]) {
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe(`/ho-so/${id}#c-to_khai`);
    }
    const again = await sendUpload(`/ho-so/${id}/tep`, fields, file, an);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/ho-so/${id}#c-to_khai`);
    expect(await fileNames(id)).toEqual(['double.pdf']);

    // A fresh page's form (a new token) uploads again, as the citizen asked.
    const next = await get(`/ho-so/${id}`, an);
    expect(nonceOf(next.body)).not.toBe(fields.nonce);
    expect((await sendUpload(`/ho-so/${id}/tep`, uploadFields(next.body, 'to_khai'), file, an)).status).toBe(303);
    // Another file through the old form (the page kept by the browser's back button) is stored too.
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, [{ name: 'other.pdf', data: Buffer.concat([SAMPLE_PDF, Buffer.from('%x\n')]) }], an)).status).toBe(
      303,
    );
    expect(await fileNames(id)).toEqual(['double.pdf', 'double.pdf', 'other.pdf']);
  });

  it('lets a refused upload be sent again with the same form', async () => {
    const id = await newDraft();
    const fields = uploadFields((await get(`/ho-so/${id}`, an)).body, 'to_khai');
    const bad = [{ name: 'notes.pdf', data: Buffer.from('not a pdf') }];
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, bad, an)).status).toBe(415);
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, bad, an)).status).toBe(415);
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, [{ name: 'ok.pdf', data: SAMPLE_PDF }], an)).status).toBe(303);
    expect(await fileNames(id)).toEqual(['ok.pdf']);
  });

  it('without the token (an older page) an upload still works', async () => {
    const id = await newDraft();
    const { nonce: _nonce, ...fields } = uploadFields((await get(`/ho-so/${id}`, an)).body, 'to_khai');
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, [{ name: 'old.pdf', data: SAMPLE_PDF }], an)).status).toBe(303);
    expect(await fileNames(id)).toEqual(['old.pdf']);
  });

  it('asks for one file when a request carries two, in the page language', async () => {
    const id = await newDraft();
    const fields = uploadFields((await get(`/ho-so/${id}`, an)).body, 'to_khai');
    const two = [
      { name: 'a.pdf', data: SAMPLE_PDF },
      { name: 'b.pdf', data: SAMPLE_PDF },
    ];
    const r = await sendUpload(`/ho-so/${id}/tep`, fields, two, an);
    expect(r.status).toBe(422);
    expect(r.body).toContain('<a href="#c-to_khai">Chọn một tệp cho mỗi lần tải lên</a>');
    expect(r.body).not.toContain('<a href="#c-to_khai">Tệp phải nhỏ hơn');
    const en = await sendUpload(`/ho-so/${id}/tep`, fields, two, `${an}; lang=en`);
    expect(en.status).toBe(422);
    expect(en.body).toContain('Choose one file for each upload');
    expect(await fileNames(id)).toEqual([]);
  });

  it('keeps the extension of a name longer than 200 characters', async () => {
    const id = await newDraft();
    const fields = uploadFields((await get(`/ho-so/${id}`, an)).body, 'to_khai');
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, [{ name: `${'a'.repeat(296)}.pdf`, data: SAMPLE_PDF }], an)).status).toBe(303);
    expect(await fileNames(id)).toEqual([`${'a'.repeat(196)}.pdf`]);
  });
});

describe('answering once', () => {
  it('logs no "Reply was already sent" on a save, an upload, a refused save or a refused upload', async () => {
    const id = await newDraft();
    const page = await get(`/ho-so/${id}`, an);
    watchWarnings();
    const saved = await postForm(`/ho-so/${id}`, { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT }, an);
    expect(saved.status).toBe(303);
    const invalid = await postForm(
      `/ho-so/${id}`,
      { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT, 'a-idNumber': '12' },
      an,
    );
    expect(invalid.status).toBe(422);
    const stale = await postForm(`/ho-so/${id}`, { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT }, an);
    expect(stale.status).toBe(412);
    const fields = uploadFields(page.body, 'to_khai');
    expect((await sendUpload(`/ho-so/${id}/tep`, fields, [{ name: 'ok.pdf', data: SAMPLE_PDF }], an)).status).toBe(303);
    expect((await sendUpload(`/ho-so/${id}/tep`, uploadFields(page.body, 'to_khai'), [{ name: 'x.pdf', data: Buffer.from('x') }], an)).status).toBe(415);
    const cont = await postForm(
      `/ho-so/${id}`,
      { csrf: csrfOf(page.body), version: versionOf((await get(`/ho-so/${id}`, an)).body), action: 'continue', ...APPLICANT },
      an,
    );
    expect(cont.status).toBe(422);
    expect(warnings().filter((w) => /already sent/i.test(w))).toEqual([]);
    expect(warn!.mock.calls.length).toBe(0);
  });

  it("the desk's counter intake answers once too", async () => {
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${PROC}&doi-tuong=citizen`, dung);
    const created = await postForm('/can-bo/tiep-nhan', walkInForm(step2.body, PROC), dung);
    expect(created.status).toBe(303);
    const url = String(created.headers.location);
    const page = await get(url, dung);
    watchWarnings();
    const invalid = await postForm(url, { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT, 'a-idNumber': '12' }, dung);
    expect(invalid.status).toBe(422);
    const bad = await sendUpload(`${url}/tep`, uploadFields(page.body, 'to_khai'), [{ name: 'x.pdf', data: Buffer.from('x') }], dung);
    expect(bad.status).toBe(415);
    expect(warn!.mock.calls.length).toBe(0);
  });
});

describe('draft version', () => {
  it('refuses a version that cannot be read, and saves nothing', async () => {
    const id = await newDraft();
    const page = await get(`/ho-so/${id}`, an);
    const before = await dossierRow(id);
    for (const version of ['abc', '-1', '1.5']) {
      const r = await postForm(`/ho-so/${id}`, { csrf: csrfOf(page.body), version, action: 'save', ...APPLICANT, 'a-fullName': 'Tên khác' }, an);
      expect(r.status, version).toBe(422);
      expect(r.body).toContain('Biểu mẫu không hợp lệ (thiếu phiên bản của hồ sơ). Hãy tải lại trang rồi lưu lại.');
      // What was typed is kept.
      expect(r.body).toContain('value="Tên khác"');
    }
    const en = await postForm(`/ho-so/${id}`, { csrf: csrfOf(page.body), version: 'abc', action: 'save', ...APPLICANT }, `${an}; lang=en`);
    expect(en.body).toContain('The form is not valid (the dossier version is missing).');
    expect((await dossierRow(id)).version).toBe(before.version);
    // The form's own version saves.
    expect((await postForm(`/ho-so/${id}`, { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT }, an)).status).toBe(303);
  });
});

describe('rating', () => {
  it('says why a rating is refused: not returned yet, or rated already', async () => {
    const d = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant: API_APPLICANT });
    const open = await get(`/ho-so/${d.id}`, an);
    const early = await postForm(`/ho-so/${d.id}/danh-gia`, { csrf: csrfOf(open.body), rating: 'satisfied' }, an);
    expect(early.status).toBe(409);
    expect(early.body).toContain('Bạn chỉ đánh giá được khi đã nhận kết quả của hồ sơ.');
    const earlyEn = await postForm(`/ho-so/${d.id}/danh-gia`, { csrf: csrfOf(open.body), rating: 'satisfied' }, `${an}; lang=en`);
    expect(earlyEn.status).toBe(409);
    expect(earlyEn.body).toContain('You can rate the dossier once its result has been returned.');

    await steps.inProgress(d.code);
    await steps.approve(d.code);
    await steps.act(d.code, 'reception.dung', { action: 'return_result' });
    const csrf = csrfOf((await get(`/ho-so/${d.id}`, an)).body);
    const [a, b] = await Promise.all([
      postForm(`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'satisfied' }, an),
      postForm(`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'dissatisfied' }, an),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const refused = a.status === 409 ? a : b;
    const stored = a.status === 303 ? 'Hài lòng' : 'Không hài lòng';
    expect(refused.body).toContain(`Bạn đã đánh giá hồ sơ này: ${stored}. Mỗi hồ sơ chỉ đánh giá được một lần.`);
    const later = await postForm(`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'very_satisfied' }, `${an}; lang=en`);
    expect(later.status).toBe(409);
    expect(later.body).toContain('You have already rated this dossier:');
    expect(await historyCount(d.id, 'rate')).toBeLessThanOrEqual(1);
  });
});

describe("staff on the applicant's forms", () => {
  it('sends a member of staff to the staff page and does nothing', async () => {
    const d = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant: API_APPLICANT });
    await steps.act(d.code, 'reception.dung', { action: 'receive' });
    const staffPage = `/can-bo/ho-so/${encodeURIComponent(d.code)}`;
    const page = await get(staffPage, dung);
    expect(page.status).toBe(200);
    const csrf = csrfOf(page.body);
    const before = await dossierRow(d.id);
    const posts: [string, Record<string, string>][] = [
      [`/ho-so/${d.id}/rut`, { csrf, confirm: 'yes', reason: 'thử', version: String(before.version) }],
      [`/ho-so/${d.id}/bo-sung`, { csrf, note: 'x', version: String(before.version) }],
      [`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'satisfied' }],
      [`/ho-so/${d.id}`, { csrf, action: 'save', version: String(before.version), ...APPLICANT }],
      [`/ho-so/${d.id}/nop`, { csrf, version: String(before.version) }],
    ];
    for (const [url, form] of posts) {
      const r = await postForm(url, form, dung);
      expect(r.status, url).toBe(303);
      expect(r.headers.location, url).toBe(staffPage);
    }
    const up = await sendUpload(`/ho-so/${d.id}/tep`, { csrf, component: 'to_khai' }, [{ name: 'x.pdf', data: SAMPLE_PDF }], dung);
    expect(up.status).toBe(303);
    expect(up.headers.location).toBe(staffPage);
    const after = await dossierRow(d.id);
    expect(after).toEqual(before);
    expect(await historyCount(d.id, 'withdraw')).toBe(0);

    // A citizen's online draft is not the desk's: 404, as the GET answers, and nothing is saved.
    const draftId = await newDraft();
    const save = await postForm(`/ho-so/${draftId}`, { csrf, action: 'save', ...APPLICANT }, dung);
    expect([save.status, save.headers.location]).toEqual([404, undefined]);
    expect((await get(`/ho-so/${draftId}`, dung)).status).toBe(404);

    // The applicant still withdraws through the same form.
    const mine = await get(`/ho-so/${d.id}`, an);
    const w = await postForm(`/ho-so/${d.id}/rut`, { csrf: csrfOf(mine.body), confirm: 'yes', reason: 'thử', version: formVersion(mine.body, 'rut') }, an);
    expect(w.status).toBe(303);
    expect(w.headers.location).toBe(`/ho-so/${d.id}?da-gui=1`);
    expect((await dossierRow(d.id)).status).toBe('withdrawn');
  });
});
