import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone, redactUrl, smsAddress } from './notifications.recipients.ts';
import {
  fitSms,
  formatDong,
  gsm7Length,
  renderEmail,
  renderSms,
  SMS_MAX,
  TEMPLATE_KEYS,
  templateForAction,
  toGsmText,
  type TemplateInput,
} from './notifications.templates.ts';

// 2026-12-03 08:00 in Vietnam = 01:00 UTC.
const due = new Date('2026-12-03T01:00:00Z');
const base: TemplateInput = {
  code: 'G22.01-261126-0007',
  procedureName: 'Đăng ký khai sinh',
  applicantName: 'Trần Thị Bình',
  agencyName: 'Trung tâm Phục vụ hành chính công tỉnh',
  dueAt: due,
  reason: 'Thiếu bản sao giấy chứng sinh',
  amount: 1_250_000,
  link: 'https://dichvucong.example.vn/ho-so/abc',
};

describe('email templates', () => {
  it('writes the received email in Vietnamese with the due date in Vietnam time', () => {
    const m = renderEmail('received', base);
    expect(m.subject).toBe('[Tỉnh Số] Hồ sơ G22.01-261126-0007 đã được tiếp nhận');
    expect(m.text).toContain('Kính gửi ông/bà Trần Thị Bình,');
    expect(m.text).toContain('Hồ sơ G22.01-261126-0007 (Đăng ký khai sinh) đã được tiếp nhận.');
    expect(m.text).toContain('Ngày hẹn trả kết quả: 08:00 03/12/2026.');
    expect(m.text).toContain('Xem hồ sơ: https://dichvucong.example.vn/ho-so/abc');
  });

  it('puts the reason, the amount and the new date where they belong', () => {
    expect(renderEmail('supplement_requested', base).text).toContain('Nội dung cần bổ sung: Thiếu bản sao giấy chứng sinh');
    expect(renderEmail('payment_requested', base).text).toContain('nộp phí, lệ phí 1.250.000 đồng cho hồ sơ G22.01-261126-0007');
    const pay = renderEmail('payment_requested', { ...base, paymentReference: 'TS0123456789', paymentDueAt: new Date('2026-11-28T10:00:00Z') }).text;
    expect(pay).toContain('Nội dung chuyển khoản: TS0123456789');
    expect(pay).toContain('Hạn thanh toán: 17:00 28/11/2026.');
    const late = renderEmail('late_apology', { ...base, reason: 'Cần xác minh thêm' });
    expect(late.subject).toBe('[Tỉnh Số] Hồ sơ G22.01-261126-0007: thư xin lỗi và hẹn lại ngày trả kết quả');
    expect(late.text).toContain('thành thật xin lỗi');
    expect(late.text).toContain('Lý do: Cần xác minh thêm');
    expect(late.text).toContain('Ngày hẹn trả kết quả mới: 08:00 03/12/2026.');
    expect(renderEmail('refused', { ...base, reason: null }).text).toContain('Lý do được ghi trên trang hồ sơ.');
    expect(renderEmail('stopped', base).subject).toBe('[Tỉnh Số] Hồ sơ G22.01-261126-0007 đã dừng xử lý');
    const paid = renderEmail('payment_confirmed', { ...base, amount: 150_000 });
    expect(paid.subject).toBe('[Tỉnh Số] Hồ sơ G22.01-261126-0007: đã nhận thanh toán');
    expect(paid.text).toContain('Cơ quan đã nhận khoản thanh toán 150.000 đ cho hồ sơ G22.01-261126-0007 (Đăng ký khai sinh).');
    expect(renderEmail('payment_confirmed', { ...base, amount: null }).text).toContain('Cơ quan đã nhận thanh toán phí, lệ phí cho hồ sơ G22.01-261126-0007');
    expect(renderEmail('submitted', { ...base, link: null }).text).not.toContain('Xem hồ sơ:');
  });

  it('returns NFC text even from decomposed input', () => {
    const m = renderEmail('result_ready', { ...base, applicantName: 'Trần Thị Bình'.normalize('NFD'), procedureName: 'Cấp phép xây dựng'.normalize('NFD') });
    expect(m.text).toBe(m.text.normalize('NFC'));
    expect(m.text).toContain('Kính gửi ông/bà Trần Thị Bình,');
    expect(m.subject).toBe(m.subject.normalize('NFC'));
  });

  it('maps workflow actions to templates, and internal steps to none', () => {
    expect(templateForAction('submit')).toBe('submitted');
    expect(templateForAction('extend')).toBe('late_apology');
    expect(templateForAction('approve')).toBe('result_ready');
    expect(templateForAction('confirm_payment')).toBe('payment_confirmed');
    expect(templateForAction('assign')).toBeNull();
    expect(templateForAction('forward')).toBeNull();
    expect(templateForAction('withdraw')).toBeNull();
  });
});

describe('SMS templates', () => {
  it('writes unaccented GSM text', () => {
    expect(renderSms('received', base)).toBe('TinhSo: Ho so G22.01-261126-0007 da duoc tiep nhan. Hen tra ket qua: 03/12/2026 08:00.');
    expect(renderSms('late_apology', base)).toBe('TinhSo: Xin loi ong/ba: ho so G22.01-261126-0007 chua co ket qua dung hen. Hen tra moi: 03/12/2026 08:00.');
    expect(renderSms('payment_requested', base)).toContain('can nop phi, le phi 1.250.000d.');
    expect(renderSms('payment_confirmed', { ...base, amount: 150_000 })).toBe(
      'TinhSo: Da nhan thanh toan 150.000 d cho ho so G22.01-261126-0007. Ho so tiep tuc duoc giai quyet.',
    );
    expect(renderSms('payment_confirmed', { ...base, amount: 1_250_000 })).toContain('thanh toan 1.250.000 d cho');
    expect(renderSms('payment_confirmed', { ...base, amount: null })).toBe(
      'TinhSo: Da nhan thanh toan cho ho so G22.01-261126-0007. Ho so tiep tuc duoc giai quyet.',
    );
  });

  it('converts Vietnamese to the GSM alphabet and counts septets', () => {
    expect(toGsmText('Đăng ký khai sinh – “Hồ sơ”')).toBe('Dang ky khai sinh - "Ho so"');
    expect(toGsmText('漢字')).toBe('??');
    expect(gsm7Length('abc')).toBe(3);
    expect(gsm7Length('a{b}')).toBe(6);
    expect(gsm7Length('Hồ')).toBeNull();
    expect(gsm7Length('€')).toBe(2);
  });

  it('cuts an over-long text to exactly one SMS', () => {
    const long = fitSms('x'.repeat(200));
    expect(long).toHaveLength(160);
    expect(long.endsWith('...')).toBe(true);
    expect(gsm7Length(fitSms('['.repeat(100)))).toBeLessThanOrEqual(160);
    expect(fitSms('ngắn')).toBe('ngan');
  });

  it('every template fits one GSM SMS for any code up to 40 characters and any amount, without cutting', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATE_KEYS),
        fc.string({ unit: fc.constantFrom(...'ABCDEFGHXYZ0123456789.-'.split('')), minLength: 5, maxLength: 40 }),
        fc.integer({ min: 0, max: 999_999_999_999 }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (key, code, amount, dueAt) => {
          const s = renderSms(key, { ...base, code, amount, dueAt });
          const n = gsm7Length(s);
          expect(n).not.toBeNull();
          expect(n!).toBeLessThanOrEqual(SMS_MAX);
          expect(s.endsWith('...')).toBe(false);
          expect(s).toContain(code);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('recipients', () => {
  it('normalises Vietnamese mobile numbers for the gateway', () => {
    expect(smsAddress('0912345678')).toBe('84912345678');
    expect(smsAddress('+84 912 345 678')).toBe('84912345678');
    expect(smsAddress('84987654321')).toBe('84987654321');
    expect(smsAddress('0212345678')).toBeNull();
    expect(smsAddress('091234567')).toBeNull();
  });

  it('masks addresses', () => {
    expect(maskEmail('an@example.vn')).toBe('a***@example.vn');
    expect(maskEmail('nguyen.van.an@mail.gov.vn')).toBe('n***@mail.gov.vn');
    expect(maskEmail('broken')).toBe('***');
    expect(maskPhone('0912345678')).toBe('091****678');
    expect(maskPhone('84987654321')).toBe('098****321');
  });

  it('redacts credentials and queries from URLs for logs', () => {
    expect(redactUrl('smtp://user:secret@mail.example.vn:587')).toBe('smtp://mail.example.vn:587');
    expect(redactUrl('https://sms.example.vn/api/send?token=abc')).toBe('https://sms.example.vn/api/send');
  });

  it('formats đồng with dots', () => {
    expect(formatDong(0)).toBe('0');
    expect(formatDong(1000)).toBe('1.000');
    expect(formatDong(1_250_000)).toBe('1.250.000');
  });
});
