import { describe, expect, it } from 'vitest';
import { AppError, type ErrorReasons } from '../platform/errors.ts';
import { serviceErrorText, serviceFieldText } from './service-errors.ts';

/**
 * A procedure's field of work or agency removed while the editor was open: the page's own check
 * passes, the service's (procedures.service.ts checkReferences) fails. Only a race reaches it
 * through the page, so the error is built here in the shape that service throws.
 */
const referenceError = (reasons: NonNullable<ErrorReasons['reasons']>) =>
  new AppError('invalid', 'PROCEDURE_REFERENCE_INVALID', {
    userMessage: 'Thủ tục tham chiếu dữ liệu không tồn tại.',
    errors: reasons.map(() => ({ path: 'definition', message: 'Lĩnh vực x không tồn tại' })),
    cause: { reasons } satisfies ErrorReasons,
  });

describe('service errors on the admin pages', () => {
  it('says a removed field of work or agency in the page language, with its code', () => {
    const err = referenceError([[{ reason: 'field_missing', params: { code: 'linh-vuc-da-xoa' } }], [{ reason: 'agency_missing', params: { code: 'SO-XD' } }]]);
    expect(serviceFieldText('en', err, 0)).toBe('the field linh-vuc-da-xoa no longer exists (it may just have been removed); choose another field');
    expect(serviceFieldText('vi', err, 0)).toBe('lĩnh vực linh-vuc-da-xoa không còn tồn tại (có thể vừa bị xóa); hãy chọn lĩnh vực khác');
    expect(serviceFieldText('en', err, 1)).toContain('SO-XD');
    expect(serviceFieldText('en', err, 1)).not.toMatch(/[\u00C0-\u024F\u1E00-\u1EFF]/);
  });

  it("falls back to the service's words for a reason or code the catalogue does not know", () => {
    const err = referenceError([[{ reason: 'no_such_reason', params: { code: 'x' } }]]);
    expect(serviceFieldText('en', err, 0)).toBeNull();
    const unknown = new AppError('invalid', 'SOME_NEW_CODE', { userMessage: 'Lỗi mới.' });
    expect(serviceErrorText('en', unknown)).toBe('Lỗi mới.');
  });
});
