/**
 * Messages of a procedure's generated form (citizen application and counter intake): the field
 * errors of the dossier services worded in the page's language (`form.err.<reason>`, the reasons
 * of modules/procedures/form-validation.ts FORM_ERROR_REASONS, of the administrative-unit lookup
 * and of a missing document) and the hints of date fields with a rule. {label} and {name} are
 * procedure data in Vietnamese: the page marks them lang="vi" in an English sentence. The
 * Vietnamese words are the services' own messages, word for word (src/web/form-errors.test.ts).
 */
export const vi = {
  'form.err.unknown_field': 'Trường không có trong biểu mẫu (unknown field)',
  'form.err.required': 'Chưa nhập {label}',
  'form.err.choice_required': 'Chưa chọn {label}',
  'form.err.confirm_required': 'Cần xác nhận: {label}',
  'form.err.invalid_value': '{label}: giá trị không hợp lệ',
  'form.err.not_a_number': '{label}: phải là một số',
  'form.err.whole_number': '{label}: phải là số nguyên không âm (số lượng dùng để tính lệ phí)',
  'form.err.min': '{label}: không được nhỏ hơn {min}',
  'form.err.max': '{label}: không được lớn hơn {max}',
  'form.err.too_long': '{label}: quá dài (tối đa {max} ký tự)',
  'form.err.date_format': '{label}: ngày không hợp lệ (định dạng năm-tháng-ngày)',
  'form.err.date_after_today': '{label}: không được sau ngày hôm nay ({date})',
  'form.err.date_before_today': '{label}: không được trước ngày hôm nay ({date})',
  'form.err.email': '{label}: địa chỉ thư điện tử không hợp lệ',
  'form.err.phone': '{label}: số điện thoại không hợp lệ (di động 10 chữ số hoặc cố định 11 chữ số bắt đầu bằng 02)',
  'form.err.id_number': '{label}: số định danh cá nhân phải gồm 12 chữ số',
  'form.err.tax_code': '{label}: mã số thuế gồm 10 chữ số, hoặc 13 chữ số với mã chi nhánh',
  'form.err.unit_code': '{label}: mã đơn vị hành chính gồm 2 chữ số (tỉnh) hoặc 5 chữ số (xã, phường, đặc khu)',
  'form.err.select': '{label}: lựa chọn không hợp lệ',
  'form.err.pattern': '{label}: không đúng định dạng',
  'form.err.unit_not_in_force': 'Mã đơn vị hành chính {code} không tồn tại hoặc đã hết hiệu lực',
  'form.err.unit_replaced': 'Mã đơn vị hành chính {code} đã được thay bằng {units} từ ngày {date}',
  'form.err.component_missing': 'Chưa đính kèm: {name}',
  'form.hint.past': 'Không sau ngày hôm nay',
  'form.hint.future': 'Không trước ngày hôm nay',
} as const;

export const en: Record<keyof typeof vi, string> = {
  'form.err.unknown_field': 'This field is not part of the form',
  'form.err.required': 'Enter {label}',
  'form.err.choice_required': 'Choose {label}',
  'form.err.confirm_required': 'Tick to confirm: {label}',
  'form.err.invalid_value': '{label}: the value is not valid',
  'form.err.not_a_number': '{label}: must be a number',
  'form.err.whole_number': '{label}: must be a whole number, 0 or more (the fee is counted by it)',
  'form.err.min': '{label}: must not be less than {min}',
  'form.err.max': '{label}: must not be more than {max}',
  'form.err.too_long': '{label}: too long (at most {max} characters)',
  'form.err.date_format': '{label}: not a valid date (year-month-day)',
  'form.err.date_after_today': '{label}: must not be after today ({date})',
  'form.err.date_before_today': '{label}: must not be before today ({date})',
  'form.err.email': '{label}: not a valid email address',
  'form.err.phone': '{label}: not a valid phone number (a mobile has 10 digits, a landline 11 digits starting with 02)',
  'form.err.id_number': '{label}: a personal identification number has 12 digits',
  'form.err.tax_code': '{label}: a tax code has 10 digits, or 13 with a branch code',
  'form.err.unit_code': '{label}: an administrative unit code has 2 digits (province) or 5 digits (commune, ward, special zone)',
  'form.err.select': '{label}: choose one of the options',
  'form.err.pattern': '{label}: not in the required format',
  'form.err.unit_not_in_force': 'No administrative unit in force has the code {code}',
  'form.err.unit_replaced': 'The administrative unit code {code} was replaced by {units} on {date}',
  'form.err.component_missing': 'Attach: {name}',
  'form.hint.past': 'Not after today',
  'form.hint.future': 'Not before today',
};
