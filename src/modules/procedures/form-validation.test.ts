import { describe, expect, it } from 'vitest';
import { validateForm } from './form-validation.ts';
import type { FormField } from './procedures.schemas.ts';

const fields: FormField[] = [
  { key: 'ho_ten', label: 'Họ và tên', type: 'text', required: true },
  { key: 'so_ban', label: 'Số bản sao', type: 'number', required: true, min: 1, max: 10 },
  { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true },
  { key: 'gioi_tinh', label: 'Giới tính', type: 'select', required: true, options: [{ value: 'nam', label: 'Nam' }, { value: 'nu', label: 'Nữ' }] },
  { key: 'cam_ket', label: 'Tôi cam đoan', type: 'checkbox', required: true },
  { key: 'email', label: 'Email', type: 'email', required: false },
  { key: 'sdt', label: 'Điện thoại', type: 'phone', required: false },
  { key: 'cccd', label: 'CCCD', type: 'id_number', required: false },
  { key: 'mst', label: 'MST', type: 'tax_code', required: false },
  { key: 'xa', label: 'Xã', type: 'unit_code', required: false },
  { key: 'ma', label: 'Mã', type: 'text', required: false, pattern: '[A-Z]{2}\\d{3}' },
];

const good = { ho_ten: 'Nguyễn Văn An', so_ban: '2', ngay_sinh: '2026-02-29'.replace('29', '28'), gioi_tinh: 'nam', cam_ket: 'on' };

describe('validateForm', () => {
  it('accepts a complete, well-formed answer and normalises it', () => {
    const r = validateForm(fields, { ...good, email: 'An@Example.VN', sdt: '+84 912 345 678', mst: '0101234567-001', xa: '13669', ho_ten: 'Nguyễn Văn An'.normalize('NFD') }, { partial: false });
    expect(r.errors).toEqual([]);
    expect(r.values).toMatchObject({ ho_ten: 'Nguyễn Văn An', so_ban: 2, cam_ket: true, email: 'an@example.vn', sdt: '0912345678', mst: '0101234567001' });
    expect(r.unitCodes).toEqual([{ key: 'xa', code: '13669' }]);
  });

  it('lists every missing required field, including an unticked commitment', () => {
    const r = validateForm(fields, {}, { partial: false });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['form.cam_ket', 'form.gioi_tinh', 'form.ho_ten', 'form.ngay_sinh', 'form.so_ban']);
  });

  it('lets a draft skip required fields but not malformed values', () => {
    expect(validateForm(fields, {}, { partial: true }).errors).toEqual([]);
    const r = validateForm(fields, { ngay_sinh: '2026-02-30', so_ban: '11', cccd: '12345', gioi_tinh: 'x', sdt: '123', mst: '12', xa: '1366', email: 'a@b', ma: 'ab123' }, { partial: true });
    expect(r.errors.map((e) => e.path).sort()).toEqual(
      ['form.cccd', 'form.email', 'form.gioi_tinh', 'form.ma', 'form.mst', 'form.ngay_sinh', 'form.sdt', 'form.so_ban', 'form.xa'].sort(),
    );
  });

  it('rejects unknown keys and non-scalar values', () => {
    const r = validateForm(fields, { ...good, hack: 'x', ho_ten: { $ne: 1 } }, { partial: false });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['form.hack', 'form.ho_ten']);
  });
});
