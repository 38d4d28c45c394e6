import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { formatDay, vnDate } from '../src/platform/time.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { csrfOf, formValues, webClient, type WebRes } from './web-client.ts';

// The generated form's errors in the page's language (QA9 defect 1) and the date rule said before
// any error (defect 7). The services' messages are Vietnamese (the API keeps them); the pages word
// each field error from its reason, the procedure's labels marked lang="vi" in English.

let t: TestApp;
const { get, postForm, signIn } = webClient(() => t);
const CODE = '9.000301';
const COMPONENT = 'Tờ khai đề nghị (theo mẫu)';

const form: ProcedureDefinition['form'] = [
  { key: 'ho_ten', label: 'Họ tên đối tượng', type: 'text', required: true },
  { key: 'ten_cu', label: 'Tên gọi khác', type: 'text', required: false },
  { key: 'so_ban', label: 'Số bản sao', type: 'number', required: false, max: 10 },
  { key: 'so_to', label: 'Số tờ', type: 'number', required: false, min: 1 },
  { key: 'so_trang', label: 'Số trang', type: 'number', required: false },
  { key: 'so_ban_them', label: 'Số bản cấp thêm', type: 'number', required: false },
  { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: false, dateRange: 'past' },
  { key: 'tu_ngay', label: 'Từ ngày', type: 'date', required: false, dateRange: 'future', help: 'Ngày bắt đầu tạm ngừng' },
  { key: 'ngay_cap', label: 'Ngày cấp', type: 'date', required: false },
  { key: 'gioi_tinh', label: 'Giới tính', type: 'select', required: false, options: [{ value: 'nam', label: 'Nam' }] },
  { key: 'thu', label: 'Thư điện tử liên hệ', type: 'email', required: false },
  { key: 'sdt', label: 'Điện thoại liên hệ', type: 'phone', required: false },
  { key: 'cccd', label: 'Số định danh của đối tượng', type: 'id_number', required: false },
  { key: 'mst', label: 'Mã số thuế của hộ', type: 'tax_code', required: false },
  { key: 'xa', label: 'Xã, phường nơi cư trú', type: 'unit_code', required: false },
  { key: 'ma', label: 'Mã hồ sơ cũ', type: 'text', required: false, pattern: '[A-Z]{2}\\d{3}' },
  { key: 'cam_ket', label: 'Tôi cam đoan thông tin là đúng', type: 'checkbox', required: true },
];

/** One wrong answer per kind of error the pages can send (the browser posts no unknown field and no odd checkbox value). */
const WRONG: Record<string, string> = {
  'f-ho_ten': '',
  'f-ten_cu': 'x'.repeat(501),
  'f-so_ban': '11',
  'f-so_to': '0',
  'f-so_trang': 'hai',
  'f-so_ban_them': '1.5',
  'f-ngay_sinh': '2999-01-01',
  'f-tu_ngay': '1990-01-01',
  'f-ngay_cap': '2026-02-30',
  'f-gioi_tinh': 'nu',
  'f-thu': 'a@b',
  'f-sdt': '123',
  'f-cccd': '12345',
  'f-mst': '12',
  'f-xa': '99999',
  'f-ma': 'ab123',
};

const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;
const summaryOf = (body: string) => /<div class="error-summary"[^>]*>[\s\S]*?<\/div>/.exec(body)?.[0] ?? '';
const itemsOf = (body: string) => [...summaryOf(body).matchAll(/<li><a href="#([^"]+)">([\s\S]*?)<\/a><\/li>/g)].map((m): [string, string] => [m[1]!, m[2]!]);
const outsideVi = (s: string) => s.replace(/<span lang="vi">[^<]*<\/span>/g, '');
const v = (s: string) => `<span lang="vi">${s}</span>`;
const today = () => formatDay(vnDate(new Date()));

beforeAll(async () => {
  t = await createTestApp();
  const base = (await t.request({ method: 'GET', url: '/api/v1/procedures/1.001776' })).json.definition as ProcedureDefinition;
  const definition: ProcedureDefinition = {
    ...base,
    name: 'Thủ tục thử nghiệm lỗi biểu mẫu',
    channels: ['online', 'in_person'],
    applicantTypes: ['citizen'],
    fees: [{ code: 'ban_them', name: 'Bản cấp thêm', amount: 8000, perFormField: 'so_ban_them' }],
    components: [{ code: 'to_khai', name: COMPONENT, form: 'original', copies: 1, required: true }],
    form,
    popularity: 0,
  };
  const created = await t.request({ method: 'POST', url: '/api/v1/procedures', as: 'admin.lan', payload: { code: CODE, definition } });
  expect(created.status, created.body).toBe(201);
  const published = await t.request({ method: 'POST', url: `/api/v1/procedures/${CODE}/versions/1/publish`, as: 'admin.lan' });
  expect(published.status, published.body).toBeLessThan(300);
});
afterAll(async () => t?.close());

async function citizenDraft(cookie: string): Promise<string> {
  const start = await get(`/ho-so/moi?thu-tuc=${CODE}`, cookie);
  expect(start.status, start.body).toBe(200);
  const created = await postForm(
    '/ho-so/moi',
    { ...formValues(start.body, '/ho-so/moi'), 'a-fullName': 'Trần Thị Bình', 'a-idNumber': '036090002345' },
    cookie,
  );
  expect(created.status, created.body).toBe(303);
  return String(created.headers.location);
}

function expectEnglish(r: WebRes) {
  const items = itemsOf(r.body);
  expect(items.length).toBeGreaterThan(0);
  for (const [, text] of items) expect(outsideVi(text), text).not.toMatch(VIETNAMESE);
}

describe('the citizen form in English', () => {
  it('says every field error in English, the labels marked as Vietnamese', async () => {
    const { cookie } = await signIn('citizen.binh');
    const url = await citizenDraft(cookie);
    const en = `${cookie}; lang=en`;
    const page = await get(url, en);
    const sent = await postForm(url, { ...formValues(page.body, url), ...WRONG, action: 'continue' }, en);
    expect(sent.status).toBe(422);
    expectEnglish(sent);
    const d = today();
    expect(itemsOf(sent.body)).toEqual([
      ['f-ten_cu', `${v('Tên gọi khác')}: too long (at most 500 characters)`],
      ['f-so_ban', `${v('Số bản sao')}: must not be more than 10`],
      ['f-so_to', `${v('Số tờ')}: must not be less than 1`],
      ['f-so_trang', `${v('Số trang')}: must be a number`],
      ['f-so_ban_them', `${v('Số bản cấp thêm')}: must be a whole number, 0 or more (the fee is counted by it)`],
      ['f-ngay_sinh', `${v('Ngày sinh')}: must not be after today (${d})`],
      ['f-tu_ngay', `${v('Từ ngày')}: must not be before today (${d})`],
      ['f-ngay_cap', `${v('Ngày cấp')}: not a valid date (year-month-day)`],
      ['f-gioi_tinh', `${v('Giới tính')}: choose one of the options`],
      ['f-thu', `${v('Thư điện tử liên hệ')}: not a valid email address`],
      ['f-sdt', `${v('Điện thoại liên hệ')}: not a valid phone number (a mobile has 10 digits, a landline 11 digits starting with 02)`],
      ['f-cccd', `${v('Số định danh của đối tượng')}: a personal identification number has 12 digits`],
      ['f-mst', `${v('Mã số thuế của hộ')}: a tax code has 10 digits, or 13 with a branch code`],
      ['f-ma', `${v('Mã hồ sơ cũ')}: not in the required format`],
      ['f-xa', 'No administrative unit in force has the code 99999'],
      ['f-ho_ten', `Enter ${v('Họ tên đối tượng')}`],
      ['f-cam_ket', `Tick to confirm: ${v('Tôi cam đoan thông tin là đúng')}`],
      ['c-to_khai', `Attach: ${v(COMPONENT)}`],
    ]);
    // Next to its input as well, joined to it.
    expect(sent.body).toContain(`<p class="error-message" id="f-ngay_sinh-error">${v('Ngày sinh')}: must not be after today (${d})</p>`);
    expect(sent.body).toContain('aria-describedby="f-ngay_sinh-hint f-ngay_sinh-error" aria-invalid="true"');
    // What was typed stays.
    expect(sent.body).toContain('id="f-ngay_sinh" name="f-ngay_sinh" value="2999-01-01"');
  });

  it('says in English that a well-formed unit code is not in force (the service’s lookup)', async () => {
    const { cookie } = await signIn('citizen.binh');
    const url = await citizenDraft(cookie);
    const en = `${cookie}; lang=en`;
    const page = await get(url, en);
    const sent = await postForm(url, { ...formValues(page.body, url), 'f-xa': '99999', action: 'save' }, en);
    expect(sent.status).toBe(422);
    expectEnglish(sent);
    expect(itemsOf(sent.body)).toEqual([['f-xa', 'No administrative unit in force has the code 99999']]);
    const vi = await postForm(url, { ...formValues(page.body, url), 'f-xa': '99999', action: 'save' }, cookie);
    expect(itemsOf(vi.body)).toEqual([['f-xa', 'Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực']]);
  });

  it('says the missing answers of a submission in English (the submit step’s own check)', async () => {
    const { cookie } = await signIn('citizen.binh');
    const url = await citizenDraft(cookie);
    const en = `${cookie}; lang=en`;
    const check = await get(`${url}/kiem-tra`, en);
    const sent = await postForm(`${url}/nop`, { csrf: csrfOf(check.body), version: /name="version" value="(\d+)"/.exec(check.body)![1]! }, en);
    expect(sent.status).toBe(422);
    expectEnglish(sent);
    expect(itemsOf(sent.body)).toEqual([
      ['f-ho_ten', `Enter ${v('Họ tên đối tượng')}`],
      ['f-cam_ket', `Tick to confirm: ${v('Tôi cam đoan thông tin là đúng')}`],
      ['c-to_khai', `Attach: ${v(COMPONENT)}`],
    ]);
  });

  it('keeps the Vietnamese page’s words (the services’ own)', async () => {
    const { cookie } = await signIn('citizen.binh');
    const url = await citizenDraft(cookie);
    const page = await get(url, cookie);
    const sent = await postForm(url, { ...formValues(page.body, url), ...WRONG, action: 'continue' }, cookie);
    expect(sent.status).toBe(422);
    const items = itemsOf(sent.body);
    expect(items).toContainEqual(['f-ngay_sinh', `Ngày sinh: không được sau ngày hôm nay (${today()})`]);
    expect(items).toContainEqual(['f-ho_ten', 'Chưa nhập Họ tên đối tượng']);
    expect(items).toContainEqual(['f-cam_ket', 'Cần xác nhận: Tôi cam đoan thông tin là đúng']);
    expect(items).toContainEqual(['c-to_khai', `Chưa đính kèm: ${COMPONENT}`]);
    expect(items).toContainEqual(['f-so_trang', 'Số trang: phải là một số']);
    expect(summaryOf(sent.body)).not.toContain('<span lang="vi">');
  });

  it('says a date rule under the label before any error, in the page’s language', async () => {
    const { cookie } = await signIn('citizen.binh');
    const url = await citizenDraft(cookie);
    const en = await get(url, `${cookie}; lang=en`);
    expect(en.body).toContain('<p class="hint" id="f-ngay_sinh-hint">Not after today</p>');
    expect(en.body).toMatch(/<input type="date" id="f-ngay_sinh" name="f-ngay_sinh" value="" max="[\d-]{10}" aria-describedby="f-ngay_sinh-hint">/);
    // The procedure's own help comes first.
    expect(en.body).toContain('<p class="hint" id="f-tu_ngay-hint"><span lang="vi">Ngày bắt đầu tạm ngừng</span><br>Not before today</p>');
    const vi = await get(url, cookie);
    expect(vi.body).toContain('<p class="hint" id="f-ngay_sinh-hint">Không sau ngày hôm nay</p>');
    expect(vi.body).toContain('<p class="hint" id="f-tu_ngay-hint">Ngày bắt đầu tạm ngừng<br>Không trước ngày hôm nay</p>');
    // A date without a rule has no hint.
    expect(vi.body).toMatch(/<input type="date" id="f-ngay_cap" name="f-ngay_cap" value="">/);
  });
});

describe('the counter intake in English', () => {
  it('says the form’s errors in English too', async () => {
    const { cookie } = await signIn('reception.dung');
    const en = `${cookie}; lang=en`;
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${CODE}&doi-tuong=citizen`, en);
    expect(step2.status, step2.body).toBe(200);
    const created = await postForm(
      '/can-bo/tiep-nhan',
      { ...formValues(step2.body, '/can-bo/tiep-nhan'), 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '036090001234' },
      en,
    );
    expect(created.status, created.body).toBe(303);
    const url = String(created.headers.location);
    const draft = await get(url, en);
    expect(draft.body).toContain('<p class="hint" id="f-ngay_sinh-hint">Not after today</p>');
    const sent = await postForm(url, { ...formValues(draft.body, url), 'f-ngay_sinh': '2999-01-01', 'f-sdt': '123', action: 'receive' }, en);
    expect(sent.status).toBe(422);
    expectEnglish(sent);
    expect(itemsOf(sent.body)).toEqual([
      ['f-ngay_sinh', `${v('Ngày sinh')}: must not be after today (${today()})`],
      ['f-sdt', `${v('Điện thoại liên hệ')}: not a valid phone number (a mobile has 10 digits, a landline 11 digits starting with 02)`],
      ['f-ho_ten', `Enter ${v('Họ tên đối tượng')}`],
      ['f-cam_ket', `Tick to confirm: ${v('Tôi cam đoan thông tin là đúng')}`],
      ['c-to_khai', `Attach: ${v(COMPONENT)}`],
    ]);
  });
});

describe('the API', () => {
  it('keeps its field errors as path and message, in Vietnamese', async () => {
    const r = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: {
        procedureCode: CODE,
        applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
        form: { ngay_sinh: '2999-01-01', xa: '99999' },
      },
    });
    expect(r.status, r.body).toBe(422);
    expect(r.json.errors).toEqual([
      { path: 'form.ngay_sinh', message: `Ngày sinh: không được sau ngày hôm nay (${today()})` },
      { path: 'form.xa', message: 'Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực' },
    ]);
    for (const e of r.json.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);
  });
});
