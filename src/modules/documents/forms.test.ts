import { describe, expect, it } from 'vitest';
import { availableForms, durationText, formQrPayload, parseFormQr, timeliness } from './forms.ts';

const h = (...actions: string[]) => actions.map((action) => ({ action }));

describe('availableForms', () => {
  it('has nothing for a draft (no code yet)', () => {
    expect(availableForms({ code: null }, h('create'))).toEqual([]);
  });
  it('has only 06 for a submitted dossier', () => {
    expect(availableForms({ code: 'X-1' }, h('create', 'submit')).map((f) => f.form)).toEqual(['06']);
  });
  it('adds 01 on reception, 02 on a supplement request, 04 on an extension, in form order', () => {
    const forms = availableForms({ code: 'X-1', receivedAt: new Date() }, h('create', 'submit', 'receive', 'assign', 'extend', 'request_supplement'));
    expect(forms.map((f) => f.form)).toEqual(['01', '02', '04', '06']);
    expect(forms[0]).toEqual({ form: '01', title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả' });
  });
  it('has 02 for a supplement asked by the desk before reception, without 01', () => {
    expect(availableForms({ code: 'X-1' }, h('create', 'submit', 'request_supplement')).map((f) => f.form)).toEqual(['02', '06']);
  });
  it('has 03 after a refusal and 05 after a stop', () => {
    expect(availableForms({ code: 'X-1' }, h('submit', 'refuse')).map((f) => f.form)).toEqual(['03', '06']);
    expect(availableForms({ code: 'X-1' }, h('submit', 'receive', 'stop')).map((f) => f.form)).toEqual(['01', '05', '06']);
  });
});

describe('form QR content', () => {
  it('is compact JSON with the dossier code, procedure code and applicant ID, and parses back', () => {
    const s = formQrPayload('01', '000.00.01.H37-261126-0001', '1.001193', '036090001234');
    expect(s).toBe('{"v":1,"mau":"01","maHoSo":"000.00.01.H37-261126-0001","maTTHC":"1.001193","soDinhDanh":"036090001234"}');
    expect(parseFormQr(s)).toEqual({ form: '01', dossierCode: '000.00.01.H37-261126-0001', procedureCode: '1.001193', applicantId: '036090001234' });
  });
  it('rejects what is not ours', () => {
    expect(parseFormQr('https://example.vn')).toBeNull();
    expect(parseFormQr('{"v":2,"mau":"01","maHoSo":"a","maTTHC":"b","soDinhDanh":"c"}')).toBeNull();
    expect(parseFormQr('{"v":1,"mau":"09","maHoSo":"a","maTTHC":"b","soDinhDanh":"c"}')).toBeNull();
  });
});

describe('printing helpers', () => {
  it('judges timeliness against the due time', () => {
    const due = new Date('2026-11-30T10:00:00Z');
    expect(timeliness(new Date('2026-11-30T10:00:01Z'), due)).toBe('Quá hạn');
    expect(timeliness(new Date('2026-11-30T09:00:00Z'), due)).toBe('Đúng hạn');
    expect(timeliness(new Date('2026-11-28T09:00:00Z'), due)).toBe('Trước hạn');
    expect(timeliness(new Date(), null)).toBe('');
  });
  it.each([
    [{ value: 8, unit: 'hours' }, '8 giờ làm việc'],
    [{ value: 15, unit: 'days' }, '15 ngày'],
    [{ value: 1, unit: 'working_days' }, '1 ngày làm việc'],
    [{ value: 3, unit: 'months' }, '3 tháng'],
    [{ value: 0.5, unit: 'working_days' }, '0,5 ngày làm việc'],
    [{ value: 1200, unit: 'hours' }, '1.200 giờ làm việc'],
  ])('writes the processing time %j in Vietnamese', (duration, expected) => {
    expect(durationText(duration)).toBe(expected);
  });
});
