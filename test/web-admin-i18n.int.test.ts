import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, type TestApp } from './harness.ts';
import { csrfOf, formValues, unescapeHtml, webClient } from './web-client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { get, postForm, signIn } = webClient(() => t);

/** Every error the page shows: the summary's links and the messages next to inputs (or the error page's text). */
const errorsOf = (body: string): string[] => {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0] ?? '';
  const links = [...summary.matchAll(/<a href="#[^"]*">([^<]*)<\/a>/g)].map((m) => unescapeHtml(m[1]!));
  const inline = [...body.matchAll(/<p class="error-message"[^>]*>(?:<span[^>]*>[^<]*<\/span>)?([^<]*)<\/p>/g)].map((m) => unescapeHtml(m[1]!));
  return [...links, ...inline];
};
/** Letters of Vietnamese (and any other accented Latin): none may appear in an English error. */
const ACCENTED = /[\u00C0-\u024F\u1E00-\u1EFF]/;
const expectEnglish = (errors: string[]) => {
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) expect(e, e).not.toMatch(ACCENTED);
};

describe('administrators’ pages in English word the services’ refusals in English', () => {
  let admin = '';
  let en = '';
  beforeAll(async () => {
    admin = (await signIn('admin.lan')).cookie;
    en = `${admin}; lang=en`;
  });

  it('agencies: a parent that would make a cycle, a parent that does not exist, an identity code taken, a unit not in force', async () => {
    const page = await get('/quan-tri/co-quan/moi', admin);
    const csrf = csrfOf(page.body);
    const agency = (code: string, identityCode: string, parentCode: string) => ({
      csrf,
      code,
      name: `Sở thử ${code}`,
      shortName: code,
      identityCode,
      parentCode,
      unitCode: '37',
      kind: 'department',
    });
    expect((await postForm('/quan-tri/co-quan/moi', agency('SO-CHA', '000.00.91.H37', ''), admin)).status).toBe(303);
    expect((await postForm('/quan-tri/co-quan/moi', agency('SO-CON', '000.00.92.H37', 'SO-CHA'), admin)).status).toBe(303);

    // SO-CHA under its own sub-agency SO-CON.
    const edit = { ...agency('SO-CHA', '000.00.91.H37', 'SO-CON') };
    const cycleEn = await postForm('/quan-tri/co-quan/SO-CHA', edit, en);
    expect(cycleEn.status).toBe(422);
    expect(errorsOf(cycleEn.body)).toContain('An agency cannot come under itself or under one of its own sub-agencies (SO-CON).');
    expectEnglish(errorsOf(cycleEn.body));
    const cycleVi = await postForm('/quan-tri/co-quan/SO-CHA', edit, admin);
    expect(errorsOf(cycleVi.body)).toContain('Cơ quan không thể trực thuộc chính nó hoặc một cơ quan cấp dưới của nó (SO-CON).');

    const missing = await postForm('/quan-tri/co-quan/SO-CHA', { ...edit, parentCode: 'KHONG-CO' }, en);
    expect(missing.status).toBe(422);
    expect(errorsOf(missing.body)).toContain('The parent agency KHONG-CO does not exist.');
    expectEnglish(errorsOf(missing.body));

    const taken = await postForm('/quan-tri/co-quan/SO-CHA', { ...edit, parentCode: '', identityCode: '000.00.92.H37' }, en);
    expect(taken.status).toBe(422);
    expect(taken.body).toContain('<a href="#p-identityCode">The identity code is already used by another agency (000.00.92.H37).</a>');
    expectEnglish(errorsOf(taken.body));

    const unit = await postForm('/quan-tri/co-quan/SO-CHA', { ...edit, parentCode: '', unitCode: '99999' }, en);
    expect(unit.status).toBe(422);
    expect(unit.body).toContain('<a href="#p-unitCode">No administrative unit in force has the code 99999.</a>');
    expectEnglish(errorsOf(unit.body));
  });

  it('procedures: publishing a version that is no longer a draft', async () => {
    const PROC = '1.001776';
    const editor = await get(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`, en);
    expect(editor.status).toBe(200);

    // Version 1 of the demo procedure is published already.
    const versions = await get(`/quan-tri/thu-tuc/${PROC}`, en);
    const again = await postForm(`/quan-tri/thu-tuc/${PROC}/1/cong-bo`, { csrf: csrfOf(versions.body) }, en);
    expect(again.status).toBe(409);
    expect(errorsOf(again.body)).toEqual(['Only a draft version can be published.']);
  });

  it('accounts: a username taken, deactivating oneself, a staff role without an agency', async () => {
    const page = await get('/quan-tri/tai-khoan/moi', en);
    const form = {
      csrf: csrfOf(page.body),
      username: 'citizen.an',
      displayName: 'Nguyễn Văn An',
      kind: 'citizen',
      password: 'mat-khau-dai-du',
      'role.0.role': 'citizen',
    };
    const taken = await postForm('/quan-tri/tai-khoan/moi', form, en);
    expect(taken.status).toBe(422);
    expect(errorsOf(taken.body)).toContain('The username citizen.an is already taken.');
    expectEnglish(errorsOf(taken.body));

    const noAgency = await postForm('/quan-tri/tai-khoan/moi', { ...form, username: 'can.bo.moi', kind: 'staff', 'role.0.role': 'reception' }, en);
    expect(noAgency.status).toBe(422);
    expectEnglish(errorsOf(noAgency.body));

    const self = await get('/quan-tri/tai-khoan/admin.lan', en);
    const values = formValues(self.body, '/quan-tri/tai-khoan/admin.lan');
    delete values.isActive;
    const off = await postForm('/quan-tri/tai-khoan/admin.lan', values, en);
    expect(off.status).toBe(422);
    expect(errorsOf(off.body)).toContain('You cannot deactivate your own account.');
    expectEnglish(errorsOf(off.body));
  });

  it('calendar: a year the calendar does not cover, shown and saved', async () => {
    const shown = await get('/quan-tri/lich?nam=1800', en);
    expect(shown.status).toBe(422);
    expect(shown.body).toContain('The year must be between 1990 and 2100.');
    expect(shown.body).not.toContain('Năm phải');
    const csrf = csrfOf((await get('/quan-tri/lich?nam=2027', en)).body);
    const saved = await postForm('/quan-tri/lich?nam=1800', { csrf, daysOff: '1800-01-02 Nghỉ', workingDays: '' }, en);
    expect(saved.status).toBe(422);
    expect(saved.body).toContain('The year must be between 1990 and 2100.');
    expect(saved.body).not.toContain('Năm phải');
    const vi = await get('/quan-tri/lich?nam=1800', admin);
    expect(vi.body).toContain('Năm phải trong khoảng 1990–2100.');
  });

  it('units: a CSV file with bad lines, each line named with its reasons in the page’s language', async () => {
    const csrf = csrfOf((await get('/quan-tri/don-vi', admin)).body);
    const upload = async (cookie: string) => {
      const m = multipart(
        { csrf },
        {
          name: 'units.csv',
          type: 'text/csv',
          data: Buffer.from('code,name,type,parent_code,valid_from\n99991,Xã Thử,commune,37,2026-07-01\n9999,,xa,37,ngày\n'),
        },
      );
      const r = await t.app.inject({ method: 'POST', url: '/quan-tri/don-vi/nhap', payload: m.payload, headers: { ...m.headers, cookie } });
      return { status: r.statusCode, body: r.body };
    };
    const inEn = await upload(en);
    expect(inEn.status).toBe(422);
    expect(errorsOf(inEn.body)).toEqual([
      'Line 3: the code must have 2 (province), 3 (former district) or 5 (commune) digits; the name is missing; the type must be one of: province, city, district, town, ward, commune, special_zone, township; valid_from must be a YYYY-MM-DD date',
    ]);
    const inVi = await upload(admin);
    expect(errorsOf(inVi.body)).toEqual([
      'Dòng 3: mã phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã); thiếu tên; loại (type) phải là một trong: province, city, district, town, ward, commune, special_zone, township; ngày hiệu lực (valid_from) phải có dạng NNNN-TT-NN',
    ]);
  });

  it('units: a file that is not the expected CSV (header, quote, encoding) is refused in the page’s words, with no path', async () => {
    const csrf = csrfOf((await get('/quan-tri/don-vi', admin)).body);
    const send = async (data: Buffer, cookie: string) => {
      const m = multipart({ csrf }, { name: 'units.csv', type: 'text/csv', data });
      const r = await t.app.inject({ method: 'POST', url: '/quan-tri/don-vi/nhap', payload: m.payload, headers: { ...m.headers, cookie } });
      expect(r.statusCode).toBe(422);
      return errorsOf(r.body);
    };
    const header = Buffer.from('ma,ten\n01,Hà Nội\n');
    expect(await send(header, admin)).toEqual(['Dòng đầu của tệp phải là dòng tiêu đề: code,name,type,parent_code,valid_from[,valid_to]']);
    expect(await send(header, en)).toEqual(['The first line of the file must be the header: code,name,type,parent_code,valid_from[,valid_to]']);
    const quote = Buffer.from('code,name,type,parent_code,valid_from\n99991,"Xã Thử,commune,37,2026-07-01\n');
    expect(await send(quote, admin)).toEqual(['Dấu ngoặc kép mở ở dòng 2 không được đóng lại']);
    expect(await send(quote, en)).toEqual(['The quotation mark opened on line 2 is never closed']);
    // A spreadsheet's own format (a ZIP container) and a legacy Vietnamese code page are not UTF-8 text.
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0xb5, 0x55, 0x30, 0x23, 0xf4]);
    const cp1258 = Buffer.concat([Buffer.from('code,name,type,parent_code,valid_from\n99991,X'), Buffer.from([0xe3]), Buffer.from(' Th\n')]);
    for (const data of [zip, cp1258]) {
      expect(await send(data, admin)).toEqual(['Tệp không phải văn bản UTF-8: hãy lưu bảng tính dưới dạng “CSV UTF-8” rồi chọn lại.']);
      expectEnglish(await send(data, en));
    }
    expect(await send(zip, en)).toEqual(['The file is not UTF-8 text: save the spreadsheet as “CSV UTF-8” and choose it again.']);
    // The API keeps its problem+json: the path and the service's Vietnamese words.
    const api = await t.request({ method: 'POST', url: '/api/v1/units/import', as: 'admin.lan', payload: { csv: 'ma,ten\n01,A\n' } });
    expect([api.status, api.json.code, api.json.errors]).toEqual([
      422,
      'UNITS_CSV_INVALID',
      [{ path: 'csv.header', message: 'dòng đầu của tệp phải là dòng tiêu đề: code,name,type,parent_code,valid_from[,valid_to]' }],
    ]);
  });

  it('settings: the code pattern’s own rules', async () => {
    const page = await get('/quan-tri/cau-hinh', en);
    const values = { ...formValues(page.body, '/quan-tri/cau-hinh/ma-ho-so'), op: 'save', pattern: 'HS/{seq4}{seq4}' };
    const res = await postForm('/quan-tri/cau-hinh/ma-ho-so', values, en);
    expect(res.status).toBe(422);
    const errors = errorsOf(res.body);
    expect(errors).toContain('Pattern: only letters, digits, . - _ and the parts {agency}, {yymmdd}, {seq4}');
    expect(errors).toContain('Pattern: {seq4} must appear exactly once');
    expect(errors).toContain('Pattern: needs {agency} and {yymmdd}: the number restarts every day at every agency');
    expectEnglish(errors);
  });
});
