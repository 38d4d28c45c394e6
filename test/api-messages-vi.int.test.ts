import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTING_KEYS } from '../src/modules/settings/settings.service.ts';
import { createTestApp, type TestApp } from './harness.ts';

// The API's problem+json messages (`detail` and each `errors[].message`) are Vietnamese, zod's
// own included (docs/WEB.md): every case here answered English words before.

let t: TestApp;
const api = (p: string) => `/api/v1${p}`;

/** A letter only Vietnamese writes (đ, ư, ơ, ă, â, ê, ô or a tone mark). */
const VIETNAMESE = /[đươăâêôàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;
/** English words of zod's defaults and of the services' old messages. */
const ENGLISH = /\b(invalid|must|expected|option|received|too (small|big)|is not|already|listed|line|empty|characters?|columns?|at most|the|one of)\b/i;

function expectVietnamese(text: unknown, where: string) {
  expect(typeof text, where).toBe('string');
  expect(text, where).toMatch(VIETNAMESE);
  expect(text, where).not.toMatch(ENGLISH);
}

type Problem = { status: number; json: { code: string; detail: string; errors?: { path: string; message: string }[] } };

/** A 422 problem with this code, whose detail and every field error are Vietnamese; its errors as `path: message`. */
function vietnameseProblem(r: Problem, code: string): string[] {
  expect(r.status, JSON.stringify(r.json)).toBe(422);
  expect(r.json.code).toBe(code);
  expectVietnamese(r.json.detail, 'detail');
  const errors = r.json.errors ?? [];
  for (const e of errors) expectVietnamese(e.message, e.path);
  return errors.map((e) => `${e.path}: ${e.message}`);
}

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe("zod's messages on the API", () => {
  it('an unknown choice in a query string names the choices in Vietnamese', async () => {
    const level = vietnameseProblem(await t.request({ method: 'GET', url: api('/procedures?level=bad') }), 'VALIDATION_FAILED');
    expect(level).toEqual(['level: phải là một trong các giá trị: full, partial']);

    const start = encodeURIComponent('2026-03-02T09:00:00+07:00');
    const weeks = vietnameseProblem(await t.request({ method: 'GET', url: api(`/calendar/due-date?start=${start}&value=1&unit=weeks`) }), 'VALIDATION_FAILED');
    expect(weeks).toEqual(['unit: phải là một trong các giá trị: working_days, days, hours, months']);
  });

  it('a missing field, a wrong type, a length, a bound and an unknown setting are Vietnamese too', async () => {
    const login = vietnameseProblem(await t.request({ method: 'POST', url: api('/auth/login'), payload: { username: 5 } }), 'VALIDATION_FAILED');
    expect(login).toEqual(['username: phải là chuỗi ký tự, không phải số', 'password: thiếu giá trị bắt buộc']);
    const empty = vietnameseProblem(
      await t.request({ method: 'POST', url: api('/auth/login'), payload: { username: ' ', password: '' } }),
      'VALIDATION_FAILED',
    );
    expect(empty).toEqual(['username: không được để trống', 'password: không được để trống']);

    const agency = vietnameseProblem(
      await t.request({
        method: 'PUT',
        url: api('/agencies/SO-THU'),
        as: 'admin.lan',
        payload: { name: 'A', shortName: 'Sở Thử', identityCode: '000.00.12.H37', unitCode: '37', kind: 'ministry' },
      }),
      'VALIDATION_FAILED',
    );
    expect(agency).toEqual(['name: phải có ít nhất 2 ký tự', 'kind: phải là một trong các giá trị: service_centre, department, commune_committee, other']);

    const soon = vietnameseProblem(
      await t.request({ method: 'PUT', url: api('/settings/worklist_soon_days'), as: 'admin.lan', payload: { value: 31 } }),
      'SETTING_INVALID',
    );
    expect(soon).toEqual(['value: không được lớn hơn 30']);
    const fraction = vietnameseProblem(
      await t.request({ method: 'PUT', url: api('/settings/worklist_soon_days'), as: 'admin.lan', payload: { value: 1.5 } }),
      'SETTING_INVALID',
    );
    expect(fraction).toEqual(['value: phải là số nguyên']);
    const unknown = vietnameseProblem(
      await t.request({ method: 'PUT', url: api('/settings/khong_co'), as: 'admin.lan', payload: { value: 1 } }),
      'VALIDATION_FAILED',
    );
    expect(unknown).toEqual([`key: phải là một trong các giá trị: ${SETTING_KEYS.join(', ')}`]);
  });

  it("a schema's own message still wins over the Vietnamese defaults", async () => {
    const start = encodeURIComponent('2026-03-02 09:00');
    const own = vietnameseProblem(await t.request({ method: 'GET', url: api(`/calendar/due-date?start=${start}&value=1&unit=days`) }), 'VALIDATION_FAILED');
    expect(own).toEqual(['start: thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-26T09:00:00+07:00']);
  });
});

describe("the services' messages on the API", () => {
  const start = encodeURIComponent('2026-03-02T09:00:00+07:00');

  it('a fraction of a day or a month (Civil Code art. 147–148)', async () => {
    for (const [unit, words] of [
      ['days', 'ngày'],
      ['months', 'tháng'],
    ] as const) {
      const r = await t.request({ method: 'GET', url: api(`/calendar/due-date?start=${start}&value=1.5&unit=${unit}`) });
      vietnameseProblem(r, 'DUE_DATE_INPUT_INVALID');
      expect(r.json.detail).toBe(`Thời hạn tính theo ${words} phải là số nguyên (nhận được 1.5).`);
    }
    // Hours and working days may be fractional.
    expect((await t.request({ method: 'GET', url: api(`/calendar/due-date?start=${start}&value=1.5&unit=hours`) })).status).toBe(200);
  });

  it("a year's overrides: a day of another year, a day listed twice, a day that does not exist", async () => {
    const r = await t.request({
      method: 'PUT',
      url: api('/calendar/2030/overrides'),
      as: 'admin.lan',
      payload: {
        daysOff: [
          { date: '2031-02-08', name: 'Nghỉ Tết' },
          { date: '2030-02-30', name: 'Nghỉ' },
          { date: '2030-09-03', name: 'Nghỉ Quốc khánh' },
        ],
        workingDays: [{ date: '2030-09-03', name: 'Làm bù' }],
      },
    });
    expect(vietnameseProblem(r, 'CALENDAR_OVERRIDES_INVALID')).toEqual([
      'daysOff[0]: ngày 2031-02-08 không thuộc năm 2030',
      'daysOff[1]: 2030-02-30 không phải là một ngày có thật (dạng YYYY-MM-DD)',
      'workingDays[0]: ngày 2030-09-03 đã có ở daysOff[2]',
    ]);
    const shape = await t.request({ method: 'PUT', url: api('/calendar/2030/overrides'), as: 'admin.lan', payload: { daysOff: [{ date: '3/9', name: '' }] } });
    expect(vietnameseProblem(shape, 'VALIDATION_FAILED')).toEqual([
      'daysOff.0.date: ngày dạng YYYY-MM-DD',
      'daysOff.0.name: không được để trống',
      'workingDays: thiếu giá trị bắt buộc',
    ]);
  });

  it('the administrative units CSV: every problem of a line, the header and a quote left open', async () => {
    const csv = (text: string) => t.request({ method: 'POST', url: api('/units/import'), as: 'admin.lan', payload: { csv: text } });
    const lines = await csv(
      [
        'code,name,type,parent_code,valid_from,valid_to',
        '9999,,xa,3,ngày,',
        '99991,Xã Thử,commune,37,2026-07-01,2026-01-01',
        '99992,Xã Thử Hai,commune,37,2026-07-01,,x',
      ].join('\n'),
    );
    expect(vietnameseProblem(lines, 'UNITS_CSV_INVALID')).toEqual([
      'csv.line2: mã phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã); thiếu tên; loại (type) phải là một trong: province, city, district, town, ward, commune, special_zone, township; ' +
        'mã cấp trên (parent_code) không phải mã đơn vị hành chính; ngày hiệu lực (valid_from) phải có dạng NNNN-TT-NN',
      'csv.line3: ngày hết hiệu lực (valid_to) phải là một ngày từ valid_from trở đi',
      'csv.line4: quá nhiều cột (7; nhiều nhất 6)',
    ]);
    expect(vietnameseProblem(await csv('ma,ten\n01,A\n'), 'UNITS_CSV_INVALID')).toEqual([
      'csv.header: dòng đầu của tệp phải là dòng tiêu đề: code,name,type,parent_code,valid_from[,valid_to]',
    ]);
    expect(vietnameseProblem(await csv('code,name,type,parent_code,valid_from\n99991,"Xã Thử,commune,37,2026-07-01\n'), 'UNITS_CSV_INVALID')).toEqual([
      'csv: dấu ngoặc kép mở ở dòng 2 không được đóng lại',
    ]);
  });

  it('the successions CSV', async () => {
    const r = await t.request({
      method: 'POST',
      url: api('/units/successions/import'),
      as: 'admin.lan',
      payload: {
        csv: ['from_code,to_code,effective_date', '1,14951,2026-01-01', '14952,14952,1/1/2026', '14953,99998,2026-01-01', '14953,99998,2026-01-01'].join('\n'),
      },
    });
    expect(vietnameseProblem(r, 'UNIT_SUCCESSIONS_CSV_INVALID')).toEqual([
      'csv.line2: mã cũ (from_code) phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã)',
      'csv.line3: mã cũ (from_code) và mã mới (to_code) trùng nhau; ngày hiệu lực (effective_date) phải có dạng NNNN-TT-NN',
      'csv.line4: mã mới (to_code) 99998 không phải đơn vị hành chính còn hiệu lực vào ngày 2026-01-01 (hãy nhập đơn vị này trước)',
      'csv.line5: trùng với dòng 4',
    ]);
  });

  it("a procedure definition's own rules, all at once", async () => {
    const base = (await t.request({ method: 'GET', url: api('/procedures/1.001193') })).json.definition;
    const definition = {
      ...base,
      duration: { value: 2.5, unit: 'days' },
      form: [
        { key: 'loai', label: 'Loại', type: 'select', required: true },
        { key: 'so', label: 'Số', type: 'number', required: false, min: 5, max: 1, pattern: 'x' },
        { key: 'ngay', label: 'Ngày', type: 'text', required: false, dateRange: 'past', pattern: '(' },
        { key: 'so', label: 'Số lặp', type: 'text', required: false },
      ],
      fees: [{ code: 'phi', name: 'Phí', amount: 1000, perFormField: 'loai' }],
      workflow: [
        { key: 'ky', name: 'Ký', role: 'leader', share: 0.5 },
        { key: 'xu_ly', name: 'Xử lý', role: 'specialist', share: 0.3 },
      ],
    };
    const r = await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '9.000188', definition } });
    expect(vietnameseProblem(r, 'PROCEDURE_DEFINITION_INVALID')).toEqual([
      'definition.form.0.options: danh sách chọn cần ít nhất một lựa chọn',
      'definition.form.1.min: min không được lớn hơn max',
      'definition.form.1.pattern: pattern chỉ dùng cho trường kiểu text, textarea, email, phone, id_number, tax_code, unit_code',
      'definition.form.2.dateRange: dateRange chỉ dùng cho trường kiểu ngày (date)',
      'definition.form.2.pattern: không phải biểu thức chính quy hợp lệ',
      'definition.form: trùng mã trường so',
      'definition.duration.value: thời hạn tính theo ngày hoặc tháng phải là số nguyên',
      'definition.workflow: tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là 0.8)',
      'definition.workflow: bước cuối cùng phải là lãnh đạo phê duyệt',
      'definition.fees.0.perFormField: phải là mã của một trường kiểu số trong biểu mẫu',
    ]);
  });

  it('the office hours setting: periods out of order', async () => {
    const r = await t.request({
      method: 'PUT',
      url: api('/settings/office_hours'),
      as: 'admin.lan',
      payload: {
        value: {
          periods: [
            { start: '13:00', end: '17:00' },
            { start: '07:30', end: '11:30' },
          ],
        },
      },
    });
    expect(vietnameseProblem(r, 'SETTING_INVALID')).toEqual(['value.periods: các khoảng giờ phải theo thứ tự và không chồng lên nhau']);
  });
});
