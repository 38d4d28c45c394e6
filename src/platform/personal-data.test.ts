import { describe, expect, it } from 'vitest';
import { Keyring } from './crypto.ts';
import { AppError } from './errors.ts';
import { idNumberHash, isPersonalIdNumber, openApplicant, openForm, openUserFields, sealApplicant, sealForm, sealUserFields } from './personal-data.ts';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const ring = Keyring.parse(`k1:${K1}`);
const D1 = '01a21a4d-0000-7000-8000-000000000001';
const D2 = '01a21a4d-0000-7000-8000-000000000002';

describe('applicants', () => {
  const a = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an@example.vn' };

  it('keeps neither number in the stored applicant, and reads both back', () => {
    const s = sealApplicant(ring, D1, a);
    expect(s.stored).toEqual({ type: 'citizen', fullName: 'Nguyễn Văn An', email: 'an@example.vn' });
    expect(s.idNumberEnc).toMatch(/^enc:v1:k1:/);
    expect(s.idNumberHash).toBe(idNumberHash(ring, '036090001234'));
    expect(openApplicant(ring, { id: D1, applicant: s.stored, applicantIdNumberEnc: s.idNumberEnc, applicantPhoneEnc: s.phoneEnc })).toEqual(a);
  });

  it('a ciphertext moved to another dossier, or to the other column, does not decrypt', () => {
    const s = sealApplicant(ring, D1, a);
    const moved = () => openApplicant(ring, { id: D2, applicant: s.stored, applicantIdNumberEnc: s.idNumberEnc, applicantPhoneEnc: null });
    expect(moved).toThrow(AppError);
    expect(moved).toThrow(expect.objectContaining({ code: 'PERSONAL_DATA_UNREADABLE' }));
    expect(() => openApplicant(ring, { id: D1, applicant: s.stored, applicantIdNumberEnc: s.phoneEnc, applicantPhoneEnc: null })).toThrow(AppError);
  });

  it('an applicant without a phone has none; an anonymised one has an empty ID number', () => {
    const s = sealApplicant(ring, D1, { type: 'citizen', fullName: 'B', idNumber: '036090001234' });
    expect(s.phoneEnc).toBeNull();
    expect(
      openApplicant(ring, { id: D1, applicant: { type: 'citizen', fullName: 'Người dùng đã xóa' }, applicantIdNumberEnc: null, applicantPhoneEnc: null }),
    ).toEqual({
      type: 'citizen',
      fullName: 'Người dùng đã xóa',
      idNumber: '',
    });
  });
});

describe('accounts', () => {
  it('seals and opens, and an account without numbers stores nulls', () => {
    const f = sealUserFields(ring, D1, { idNumber: '036090001234', phone: '0912345678' });
    expect(openUserFields(ring, { id: D1, ...f })).toEqual({ idNumber: '036090001234', phone: '0912345678' });
    expect(sealUserFields(ring, D1, {})).toEqual({ idNumberEnc: null, idNumberHash: null, phoneEnc: null });
    expect(() => openUserFields(ring, { id: D2, ...f })).toThrow(AppError);
  });
});

describe('form answers', () => {
  const fields = [
    { key: 'so_dinh_danh_me', type: 'id_number' },
    { key: 'dien_thoai', type: 'phone' },
    { key: 'ho_ten', type: 'text' },
  ];

  it('encrypts only id_number and phone answers, once, and reads them back', () => {
    const sealed = sealForm(ring, D1, fields, { so_dinh_danh_me: '036180002222', dien_thoai: '0933444555', ho_ten: 'Mẹ', khac: 3 });
    expect(sealed.ho_ten).toBe('Mẹ');
    expect(sealed.khac).toBe(3);
    expect(sealed.so_dinh_danh_me).toMatch(/^enc:v1:/);
    // Sealing again (a save that keeps an answer) does not encrypt a ciphertext.
    expect(sealForm(ring, D1, fields, sealed)).toEqual(sealed);
    expect(openForm(ring, D1, sealed)).toEqual({ so_dinh_danh_me: '036180002222', dien_thoai: '0933444555', ho_ten: 'Mẹ', khac: 3 });
    expect(openForm(ring, D1, JSON.stringify(sealed)).dien_thoai).toBe('0933444555');
    expect(sealForm(ring, D1, fields, { so_dinh_danh_me: '' })).toEqual({ so_dinh_danh_me: '' });
  });

  it('an answer moved to another field does not decrypt', () => {
    const sealed = sealForm(ring, D1, fields, { so_dinh_danh_me: '036180002222' });
    expect(() => openForm(ring, D1, { dien_thoai: sealed.so_dinh_danh_me })).toThrow(AppError);
  });
});

describe('lookup hashes', () => {
  it('are keyed, and do not change when a key is added for rotation', () => {
    const rotated = Keyring.parse(`k2:${K2},k1:${K1}`);
    expect(idNumberHash(rotated, '036090001234')).toBe(idNumberHash(ring, '036090001234'));
    expect(idNumberHash(Keyring.parse(`k2:${K2}`), '036090001234')).not.toBe(idNumberHash(ring, '036090001234'));
    expect(idNumberHash(ring, '036090001235')).not.toBe(idNumberHash(ring, '036090001234'));
  });

  it('only a whole 12-digit number is searched as an ID number', () => {
    expect(isPersonalIdNumber('036090001234')).toBe(true);
    expect(isPersonalIdNumber('03609000123')).toBe(false);
    expect(isPersonalIdNumber('0360900012345')).toBe(false);
  });
});
