import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/db/client.ts';
import { createTestApp, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, unescapeHtml, webClient, type WebRes, walkInForm } from './web-client.ts';

/**
 * The services' refusals on the officers' and citizens' pages in the page's language (service-
 * errors.ts, messages/services.ts): a staff action in a wrong state, without its reason, with an
 * extension to a day off; a citizen's withdrawal in a wrong state; an invalid applicant field; a
 * counter intake the service refuses. In English no accented letter is left outside the
 * lang="vi" spans (procedure data); in Vietnamese the services' own words stay.
 */
let t: TestApp;
const PROC = '1.001776'; // citizens; received by the provincial centre
const ORGANISATIONS_ONLY = '1.005013';
const { get, postForm } = webClient(() => t);
const cookies: Record<string, string> = {};
const en = (u: string) => `${cookies[u]}; lang=en`;

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['citizen.an', 'reception.dung', 'leader.hoa']) cookies[u] = `tinhso_session=${await t.token(u)}`;
});
afterAll(async () => {
  await t?.close();
});

const ACCENTED = /[\u00C0-\u024F\u1E00-\u1EFF]/;
/** What the page says went wrong (its alert boxes and the messages next to inputs) as text, procedure data (lang="vi") left out. */
const saidWrong = (body: string): string[] =>
  [...body.matchAll(/<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/g), ...body.matchAll(/<p class="error-message"[^>]*>([\s\S]*?)<\/p>/g)].map((m) =>
    unescapeHtml(
      m[1]!
        .replace(/<span lang="vi">[^<]*<\/span>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
function expectEnglish(r: WebRes, status: number, words: string) {
  expect(r.status, r.body.slice(0, 300)).toBe(status);
  const said = saidWrong(r.body);
  expect(said.join(' | ')).toContain(words);
  for (const s of said) expect(s, s).not.toMatch(ACCENTED);
}

const versionOf = (body: string, action: string) =>
  new RegExp(`name="action" value="${action}">\\s*<input type="hidden" name="version" value="(\\d+)"`).exec(body)?.[1] ?? '';

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}
const submitted = () =>
  submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' } });

describe('officers’ action forms in English', () => {
  it('says an action the dossier’s state does not allow', async () => {
    const d = await submitted();
    const page = await get(`/can-bo/ho-so/${d.code}`, en('reception.dung'));
    const form = { csrf: csrfOf(page.body), action: 'return_result' };
    const r = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, en('reception.dung'));
    expectEnglish(r, 409, 'This action is not possible in the dossier’s current status.');
    const vi = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, cookies['reception.dung']);
    expect(saidWrong(vi.body).join(' | ')).toContain('Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.');
  });

  it('says a reason left empty (only an invisible character) at its box', async () => {
    const d = await submitted();
    const page = await get(`/can-bo/ho-so/${d.code}`, en('reception.dung'));
    // The page's own check sees a character; the service's cleaning leaves nothing.
    const form = { csrf: csrfOf(page.body), action: 'refuse', version: versionOf(page.body, 'refuse'), reason: '\u200b' };
    const r = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, en('reception.dung'));
    expectEnglish(r, 422, 'Enter the reason for refusing');
    expect(r.body).toContain('<p class="error-message" id="refuse-reason-error">Enter the reason for refusing</p>');
    const vi = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, cookies['reception.dung']);
    expect(vi.body).toContain('<p class="error-message" id="refuse-reason-error">Cần nhập lý do từ chối</p>');
  });

  it('names the next working day, with its weekday in English, for an extension to a day off', async () => {
    const d = await submitted();
    await act(d.code, 'reception.dung', { action: 'receive' });
    // Due Friday 29 Nov 2030: Sunday 1 Dec is refused, Monday 2 Dec named.
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = '2030-11-29T17:00:00+07:00' WHERE id = ${d.id}`);
    const page = await get(`/can-bo/ho-so/${d.code}`, en('leader.hoa'));
    const form = { csrf: csrfOf(page.body), action: 'extend', version: versionOf(page.body, 'extend'), reason: 'Xin lỗi ông/bà', newDue: '2030-12-01' };
    const r = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, en('leader.hoa'));
    expectEnglish(r, 422, 'Not a working time; the next working day is Monday 02/12/2030');
    const vi = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, form, cookies['leader.hoa']);
    expect(saidWrong(vi.body).join(' | ')).toContain('Không phải thời gian làm việc; ngày làm việc tiếp theo: Thứ Hai 02/12/2030');
  });
});

describe('a fee the declaration’s answers cannot give (PAYMENT_FEE_INVALID)', () => {
  const COPIES = '2.000635'; // a fee per copy: so_ban, "Số bản sao đề nghị cấp"
  /** A received dossier whose stored number of copies is `copies` (an answer stored before the whole-number rule, or a huge one). */
  async function receivedWithCopies(copies: number) {
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: COPIES,
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    await act(d.code, 'reception.dung', { action: 'receive' });
    await t.database.db.execute(sql`UPDATE dossiers SET form = jsonb_set(form, '{so_ban}', ${String(copies)}::jsonb) WHERE id = ${d.id}`);
    return d;
  }
  const requestPayment = async (code: string, cookie: string) => {
    const page = await get(`/can-bo/ho-so/${code}`, cookie);
    const form = { csrf: csrfOf(page.body), action: 'request_payment', version: versionOf(page.body, 'request_payment'), note: '' };
    return postForm(`/can-bo/ho-so/${code}/thao-tac`, form, cookie);
  };

  it('names the answer that is not a whole number of copies, with its label, at the action’s box', async () => {
    const d = await receivedWithCopies(1.5);
    const r = await requestPayment(d.code, en('reception.dung'));
    expectEnglish(r, 422, 'must be a whole number, 0 or more (the fee is counted by it)');
    expect(r.body).toContain(
      '<p class="error-message" id="request_payment-note-error"><span lang="vi">Số bản sao đề nghị cấp</span>: must be a whole number, 0 or more (the fee is counted by it)</p>',
    );
    expect(r.body).not.toContain('whole number of units');
    const vi = await requestPayment(d.code, cookies['reception.dung']!);
    expect(vi.status).toBe(422);
    expect(vi.body).toContain('<a href="#request_payment-note">Số bản sao đề nghị cấp: phải là số nguyên không âm (số lượng dùng để tính lệ phí)</a>');
    // The API keeps its problem: the path and the (Vietnamese) message, no reason or values.
    const api = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'reception.dung', payload: { action: 'request_payment' } });
    expect(api.status).toBe(422);
    expect(api.json).toMatchObject({ code: 'PAYMENT_FEE_INVALID', detail: 'Không tính được lệ phí từ thông tin trong tờ khai.' });
    expect(api.json.errors).toEqual([{ path: 'form.so_ban', message: 'Số bản sao đề nghị cấp: phải là số nguyên không âm (số lượng dùng để tính lệ phí)' }]);
  });

  it('says a total too large to compute', async () => {
    const d = await receivedWithCopies(2_000_000_000_000);
    const r = await requestPayment(d.code, en('reception.dung'));
    expectEnglish(r, 422, 'The total fee worked out from the declaration is too large');
    expect(r.body).toContain('<a href="#request_payment-note">The total fee worked out from the declaration is too large</a>');
    const vi = await requestPayment(d.code, cookies['reception.dung']!);
    expect(vi.body).toContain('<p class="error-message" id="request_payment-note-error">Tổng lệ phí tính từ tờ khai quá lớn</p>');
    const api = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'reception.dung', payload: { action: 'request_payment' } });
    expect(api.json.errors).toEqual([{ path: 'form.fees', message: 'Tổng lệ phí tính từ tờ khai quá lớn' }]);
  });
});

describe('citizens’ pages in English', () => {
  it('says a withdrawal the dossier’s state no longer allows', async () => {
    const d = await submitted();
    const page = await get(`/ho-so/${d.id}`, en('citizen.an'));
    const csrf = csrfOf(page.body);
    await act(d.code, 'citizen.an', { action: 'withdraw' });
    const r = await postForm(`/ho-so/${d.id}/rut`, { csrf, confirm: 'yes' }, en('citizen.an'));
    expectEnglish(r, 409, 'This action is not possible in the dossier’s current status.');
  });

  it('words an invalid applicant field from its rule', async () => {
    const page = await get(`/ho-so/moi?thu-tuc=${PROC}`, en('citizen.an'));
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)![1]!;
    const form = { csrf: csrfOf(page.body), nonce, 'thu-tuc': PROC, 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '0360', 'a-phone': '', 'a-email': 'an@' };
    const r = await postForm('/ho-so/moi', form, en('citizen.an'));
    expectEnglish(r, 422, 'Personal identification number: a personal identification number has 12 digits');
    expect(saidWrong(r.body).join(' | ')).toContain('Email: not a valid email address');
    const vi = await postForm('/ho-so/moi', form, cookies['citizen.an']);
    expect(vi.body).toContain('<a href="#a-idNumber">Số định danh cá nhân (CCCD): số định danh cá nhân gồm 12 chữ số</a>');
    expect(vi.body).toContain('<a href="#a-email">Thư điện tử: thư điện tử không hợp lệ</a>');
  });
});

describe('counter intake in English', () => {
  it('says why the service refuses the walk-in applicant', async () => {
    const desk = en('reception.dung');
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${ORGANISATIONS_ONLY}&doi-tuong=citizen`, desk);
    expect(step2.status, step2.body.slice(0, 300)).toBe(200);
    const form = walkInForm(step2.body, ORGANISATIONS_ONLY);
    const r = await postForm('/can-bo/tiep-nhan', form, desk);
    expectEnglish(r, 422, 'This procedure is not open to this kind of applicant.');
    expect(r.body).toContain('<a href="#in-procedure">This procedure is not open to this kind of applicant.</a>');
    const vi = await postForm('/can-bo/tiep-nhan', form, cookies['reception.dung']);
    expect(vi.body).toContain('Đối tượng này không được thực hiện thủ tục.');
  });
});
