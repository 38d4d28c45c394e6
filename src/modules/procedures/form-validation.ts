import type { FieldError } from '../../platform/errors.ts';
import { cleanText, nfc, normalisePhone, PHONE_INVALID } from '../../platform/text.ts';
import { formatDay, vnDate } from '../../platform/time.ts';
import { PATTERN_FIELD_TYPES, type FormField } from './procedures.schemas.ts';

export type FormValue = string | number | boolean | null;
export type FormValues = Record<string, FormValue>;

/**
 * The reason of each error validateForm gives (FieldError `reason`), for a page to word it in its
 * own language. `required` is a typed answer left empty, `choice_required` a list (select) with
 * nothing chosen ("Chưa chọn"), `confirm_required` a box not ticked. Every one but
 * `unknown_field` ({key}) has the field's label as {label}; `min` and `max` the limit ({min},
 * {max}), `too_long` the most characters ({max}), `date_after_today` and `date_before_today` today
 * as dd/mm/yyyy ({date}). The message itself stays Vietnamese (the API's).
 */
export const FORM_ERROR_REASONS = [
  'unknown_field',
  'required',
  'choice_required',
  'confirm_required',
  'invalid_value',
  'not_a_number',
  'whole_number',
  'min',
  'max',
  'too_long',
  'date_format',
  'date_after_today',
  'date_before_today',
  'email',
  'phone',
  'id_number',
  'tax_code',
  'unit_code',
  'select',
  'pattern',
] as const;
export type FormErrorReason = (typeof FORM_ERROR_REASONS)[number];

export interface FormCheck {
  values: FormValues;
  errors: FieldError[];
  /** unit_code answers to look up in the administrative-unit table. */
  unitCodes: { key: string; code: string }[];
}

const ID_NUMBER = /^\d{12}$/;
const TAX_CODE = /^\d{10}(-?\d{3})?$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An administrative unit of the two tiers: a province (2 digits) or a commune (5 digits). */
const UNIT = /^(?:\d{2}|\d{5})$/;
const PATTERN_TYPES: ReadonlySet<FormField['type']> = new Set(PATTERN_FIELD_TYPES);
const MAX_TEXT = 500;
const MAX_TEXTAREA = 5000;

function isValidDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/**
 * Checks answers against a procedure's form definition. `partial` (a draft being saved) skips
 * the required checks but still rejects malformed values. Unknown keys are an error, so nothing
 * unexpected is stored. Text is stored in NFC; phone numbers and tax codes are normalised.
 * A field's `pattern` applies to text, textarea, email, phone, id_number, tax_code and unit_code
 * answers, after normalisation; it is ignored on number, date, select and checkbox (their form is
 * fixed by the type or the options).
 * Text answers are cleaned first (platform/text.ts cleanText: invisible format and control
 * characters removed; a textarea keeps its line breaks), so an answer of only zero-width
 * characters is empty (and "required" when the field is).
 * A number field that a fee of the procedure counts (`fees[].perFormField`: copies, pages) must be
 * a whole number of units, 0 or more: payments/fees.ts multiplies by it when the desk asks for
 * payment, and a fraction accepted here would make that impossible later.
 * A date field's `dateRange` is checked against today's calendar date in Asia/Ho_Chi_Minh at
 * `opts.now` (the request's time; tests pass a fixed instant): `past` refuses a day after today,
 * `future` a day before today; today itself is accepted by both. A date equal to its answer in
 * `opts.settled` (what a submitted dossier already holds) is not checked against the range again:
 * a requested start date that has since passed must not block every later edit of the form.
 */
export function validateForm(
  fields: readonly FormField[],
  input: Record<string, unknown>,
  opts: {
    partial: boolean;
    fees?: readonly { perFormField?: string | undefined }[] | undefined;
    now?: Date | undefined;
    /** Answers accepted earlier (a submitted dossier's): an unchanged date is not held to `dateRange` again. */
    settled?: Readonly<Record<string, unknown>> | undefined;
  },
): FormCheck {
  const errors: FieldError[] = [];
  const values: FormValues = {};
  const unitCodes: FormCheck['unitCodes'] = [];
  const known = new Set(fields.map((f) => f.key));
  const today = vnDate(opts.now ?? new Date());
  const quantities = new Set((opts.fees ?? []).flatMap((fee) => (fee.perFormField ? [fee.perFormField] : [])));
  for (const k of Object.keys(input)) {
    if (!known.has(k))
      errors.push({ path: `form.${k}`, message: 'Trường không có trong biểu mẫu (unknown field)', reason: 'unknown_field', params: { key: k } });
  }
  for (const f of fields) {
    const path = `form.${f.key}`;
    const raw = input[f.key];
    const empty = raw === undefined || raw === null || (typeof raw === 'string' && cleanText(raw) === '') || (f.type === 'checkbox' && raw === false);
    if (empty) {
      if (f.required && !opts.partial) {
        // Worded by how the answer is given: ticked, chosen from a list, or typed.
        errors.push(
          f.type === 'checkbox'
            ? { path, message: `Cần xác nhận: ${f.label}`, reason: 'confirm_required', params: { label: f.label } }
            : f.type === 'select'
              ? { path, message: `Chưa chọn ${f.label}`, reason: 'choice_required', params: { label: f.label } }
              : { path, message: `Chưa nhập ${f.label}`, reason: 'required', params: { label: f.label } },
        );
      }
      if (f.type === 'checkbox' && raw === false) values[f.key] = false;
      continue;
    }
    const err = (reason: FormErrorReason, message: string, params: Record<string, string | number> = {}) =>
      errors.push({ path, message: `${f.label}: ${message}`, reason, params: { label: f.label, ...params } });
    switch (f.type) {
      case 'checkbox': {
        if (raw === true || raw === 'true' || raw === 'on' || raw === '1') values[f.key] = true;
        else err('invalid_value', 'giá trị không hợp lệ');
        break;
      }
      case 'number': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
        if (!Number.isFinite(n)) err('not_a_number', 'phải là một số');
        else if (quantities.has(f.key) && !(Number.isSafeInteger(n) && n >= 0))
          err('whole_number', 'phải là số nguyên không âm (số lượng dùng để tính lệ phí)');
        else if (f.min !== undefined && n < f.min) err('min', `không được nhỏ hơn ${f.min}`, { min: f.min });
        else if (f.max !== undefined && n > f.max) err('max', `không được lớn hơn ${f.max}`, { max: f.max });
        else values[f.key] = n;
        break;
      }
      default: {
        if (typeof raw !== 'string' && typeof raw !== 'number') {
          err('invalid_value', 'giá trị không hợp lệ');
          break;
        }
        let s = cleanText(String(raw), { multiline: f.type === 'textarea' });
        const before = errors.length;
        const limit = f.type === 'textarea' ? MAX_TEXTAREA : MAX_TEXT;
        if (s.length > limit) {
          err('too_long', `quá dài (tối đa ${limit} ký tự)`, { max: limit });
          break;
        }
        switch (f.type) {
          case 'date':
            if (!isValidDate(s)) err('date_format', 'ngày không hợp lệ (định dạng năm-tháng-ngày)');
            else if (opts.settled?.[f.key] === s) break;
            else if (f.dateRange === 'past' && s > today)
              err('date_after_today', `không được sau ngày hôm nay (${formatDay(today)})`, { date: formatDay(today) });
            else if (f.dateRange === 'future' && s < today)
              err('date_before_today', `không được trước ngày hôm nay (${formatDay(today)})`, { date: formatDay(today) });
            break;
          case 'email':
            s = s.toLowerCase();
            if (!EMAIL.test(s)) err('email', 'địa chỉ thư điện tử không hợp lệ');
            break;
          case 'phone': {
            const phone = normalisePhone(s);
            if (phone === null) err('phone', PHONE_INVALID);
            else s = phone;
            break;
          }
          case 'id_number':
            s = s.replace(/\s/g, '');
            if (!ID_NUMBER.test(s)) err('id_number', 'số định danh cá nhân phải gồm 12 chữ số');
            break;
          case 'tax_code':
            s = s.replace(/\s/g, '');
            if (!TAX_CODE.test(s)) err('tax_code', 'mã số thuế gồm 10 chữ số, hoặc 13 chữ số với mã chi nhánh');
            else s = s.replace('-', '');
            break;
          case 'unit_code':
            if (!UNIT.test(s)) err('unit_code', 'mã đơn vị hành chính gồm 2 chữ số (tỉnh) hoặc 5 chữ số (xã, phường, đặc khu)');
            break;
          case 'select':
            // Definitions stored before they were normalised may hold NFD option values.
            if (!f.options?.some((o) => nfc(o.value) === s)) err('select', 'lựa chọn không hợp lệ');
            break;
          case 'text':
          case 'textarea':
            break;
        }
        // The pattern is checked on the normalised answer (digits only for phone, ID and tax
        // codes; lower case for email), so it cannot be defeated by spacing.
        if (f.pattern && PATTERN_TYPES.has(f.type) && errors.length === before && !new RegExp(`^(?:${f.pattern.normalize('NFC')})$`, 'u').test(s)) {
          err('pattern', 'không đúng định dạng');
        }
        if (f.type === 'unit_code' && errors.length === before) unitCodes.push({ key: f.key, code: s });
        values[f.key] = s;
      }
    }
  }
  return { values, errors, unitCodes };
}
