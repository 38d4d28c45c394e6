import { describe, expect, it } from 'vitest';
import { Applicant } from '../modules/dossiers/dossiers.schemas.ts';
import { ThrottledError } from '../modules/identity/throttle.ts';
import { AppError, type ErrorReasons } from '../platform/errors.ts';
import { t } from './i18n.ts';
import { dossierConflictText, knownServiceText, serviceErrorText, serviceFieldText, servicePageErrors } from './service-errors.ts';

const ACCENTED = /[\u00C0-\u024F\u1E00-\u1EFF]/;

describe('services’ refusals in the page’s language', () => {
  it('words a reason with its values, a day with its weekday in each language', () => {
    // As dossiers.service.ts assertNewDueInWorkingTime throws for Sunday 1 December 2030.
    const err = new AppError('invalid', 'DOSSIER_NEW_DUE_INVALID', {
      userMessage:
        'Ngày hẹn trả mới phải vào giờ làm việc của một ngày làm việc: Chủ nhật 01/12/2030 không phải ngày làm việc. Ngày làm việc tiếp theo là Thứ Hai 02/12/2030.',
      errors: [{ path: 'newDueAt', message: 'Không phải thời gian làm việc; ngày làm việc tiếp theo: Thứ Hai 02/12/2030' }],
      cause: {
        reason: 'non_working_day',
        params: { dueDay: '2030-12-01', nextDay: '2030-12-02' },
        reasons: [[{ reason: 'field_not_working_time', params: { nextDay: '2030-12-02' } }]],
      } satisfies ErrorReasons,
    });
    // The Vietnamese words are the service's own.
    expect(serviceErrorText('vi', err)).toBe(err.userMessage);
    expect(serviceFieldText('vi', err, 0)).toBe(err.errors![0]!.message);
    expect(serviceErrorText('en', err)).toBe(
      'The new due date must fall within the office hours of a working day: Sunday 01/12/2030 is not a working day. The next working day is Monday 02/12/2030.',
    );
    expect(serviceFieldText('en', err, 0)).toBe('Not a working time; the next working day is Monday 02/12/2030');
    expect(servicePageErrors('en', err, (p) => `x-${p}`, 'main')).toEqual([
      { anchor: 'x-newDueAt', message: 'Not a working time; the next working day is Monday 02/12/2030' },
    ]);
  });

  it('keeps a form field error’s own reason for the form to word, and says an error without field errors at the fallback', () => {
    const form = new AppError('invalid', 'DOSSIER_FORM_INVALID', {
      userMessage: 'Một số thông tin chưa hợp lệ.',
      errors: [{ path: 'form.ho_ten', message: 'Chưa nhập Họ tên', reason: 'required', params: { label: 'Họ tên' } }],
    });
    expect(servicePageErrors('en', form, (p) => p, 'main')).toEqual([
      { anchor: 'form.ho_ten', message: 'Chưa nhập Họ tên', reason: 'required', params: { label: 'Họ tên' } },
    ]);
    const type = new AppError('invalid', 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED', { userMessage: 'Đối tượng này không được thực hiện thủ tục.' });
    expect(servicePageErrors('en', type, (p) => p, 'in-procedure')).toEqual([
      { anchor: 'in-procedure', message: 'This procedure is not open to this kind of applicant.' },
    ]);
    expect(serviceErrorText('vi', type)).toBe(type.userMessage);
  });

  it('fills values the page knows: the minutes of a lock', () => {
    const locked = new ThrottledError('account', 14 * 60 + 5, new Date('2026-11-27T10:15:00+07:00'));
    expect(serviceErrorText('vi', locked, { minutes: 15 })).toBe(locked.userMessage);
    expect(serviceErrorText('en', locked, { minutes: 15 })).toBe('The account is locked for a while after too many failed sign-ins. Try again in 15 minutes.');
  });

  it('keeps the page’s own notice for a plain wrong state, and says what the service knows more', () => {
    const state = new AppError('conflict', 'DOSSIER_TRANSITION_NOT_ALLOWED', {
      userMessage: 'Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.',
    });
    expect(dossierConflictText('en', state)).toBe('This action is not possible in the dossier’s current status. The page below shows the latest state.');
    const noFees = new AppError('conflict', 'DOSSIER_TRANSITION_NOT_ALLOWED', {
      userMessage: 'Hồ sơ này không có phí, lệ phí phải nộp (thủ tục không thu phí, lệ phí): không gửi yêu cầu nộp phí được.',
      cause: { reason: 'no_fees' } satisfies ErrorReasons,
    });
    expect(dossierConflictText('vi', noFees)).toBe(noFees.userMessage);
    expect(dossierConflictText('en', noFees)).not.toMatch(ACCENTED);
    expect(dossierConflictText('en', noFees)).toContain('a payment request cannot be sent');
  });

  it("falls back to the service's words only for a code the catalogue does not know", () => {
    const unknown = new AppError('invalid', 'SOME_NEW_CODE', { userMessage: 'Lỗi mới.' });
    expect(knownServiceText('en', unknown)).toBeNull();
    expect(serviceErrorText('en', unknown)).toBe('Lỗi mới.');
    // A cause that is an error (a library's failure), not reasons: nothing to word it by.
    const wrapped = new AppError('invalid', 'DOSSIER_ASSIGNEE_INVALID', { errors: [{ path: 'assigneeId', message: 'x' }], cause: new Error('boom') });
    expect(serviceFieldText('en', wrapped, 0)).toBeNull();
    expect(serviceErrorText('en', wrapped)).toBe('Choose a specialist of the agency handling the dossier.');
    // A field error's reason the catalogue does not know (a service newer than the page's words): the field error keeps its own message.
    const newer = new AppError('invalid', 'PROCEDURE_REFERENCE_INVALID', {
      errors: [{ path: 'definition', message: 'Lĩnh vực x không tồn tại' }],
      cause: { reasons: [[{ reason: 'no_such_reason', params: { code: 'x' } }]] } satisfies ErrorReasons,
    });
    expect(serviceFieldText('en', newer, 0)).toBeNull();
  });

  it('says the applicant fields’ rules in Vietnamese in the Applicant schema’s own words', () => {
    const bad = Applicant.safeParse({ type: 'organisation', fullName: 'A', idNumber: '12', organisationName: 'B', taxCode: '12', email: 'x@' });
    const said = (k: string) => `Nhãn: ${bad.error!.issues.find((i) => i.path[0] === k)!.message}`;
    expect(t('vi', 'app.err.applicant.nameShort', { label: 'Nhãn' })).toBe(said('fullName'));
    expect(t('vi', 'app.err.applicant.organisationShort', { label: 'Nhãn' })).toBe(said('organisationName'));
    expect(t('vi', 'app.err.applicant.idNumber', { label: 'Nhãn' })).toBe(said('idNumber'));
    expect(t('vi', 'app.err.applicant.taxCode', { label: 'Nhãn' })).toBe(said('taxCode'));
    expect(t('vi', 'app.err.applicant.email', { label: 'Nhãn' })).toBe(said('email'));
    const noTax = Applicant.safeParse({ type: 'organisation', fullName: 'Công ty An', idNumber: '036090001234', organisationName: 'Công ty An' });
    expect(t('vi', 'app.err.applicant.taxCodeMissing', { label: 'Nhãn' })).toBe(`Nhãn: ${noTax.error!.issues[0]!.message}`);
    const phone = Applicant.safeParse({ type: 'citizen', fullName: 'An', idNumber: '036090001234', phone: '0229 387 123' });
    expect(t('vi', 'form.err.phone', { label: 'Nhãn' })).toBe(`Nhãn: ${phone.error!.issues[0]!.message}`);
  });
});
