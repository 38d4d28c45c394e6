import { z } from 'zod';

/**
 * The API's validation messages are Vietnamese (docs/WEB.md), zod's own included: this map
 * replaces zod's English defaults for every schema of the process (routes, services, the CLI),
 * set once below when this module is loaded (app.ts and cli.ts import it). A message a schema
 * gives itself (`.regex(re, 'ngày dạng YYYY-MM-DD')`, `{ message }`, `{ error }`) still wins: zod
 * asks the schema's own message first and this map last (config.ts passes zod's English map to
 * its own parse, for the operator). The words are the message alone, without the field:
 * problem+json puts the field in `path` ("không được nhỏ hơn 1990"). Pages word issues by their
 * code in their own language.
 */
export const vietnameseIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'thiếu giá trị bắt buộc';
      if (issue.expected === 'int' && typeof issue.input === 'number' && Number.isFinite(issue.input)) return 'phải là số nguyên';
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return 'phải là một số hữu hạn';
      return `phải là ${typeName(issue.expected)}, không phải ${typeName(kindOf(issue.input))}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `phải là ${shown(issue.values[0])}` : `phải là một trong các giá trị: ${issue.values.map(shown).join(', ')}`;
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false, issue.exact === true);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false, issue.exact === true);
    case 'invalid_format':
      return formatWords(issue);
    case 'not_multiple_of':
      return `phải là bội số của ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `có trường không được phép: ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return 'có khóa không hợp lệ';
    case 'invalid_element':
      return 'có phần tử không hợp lệ';
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length) {
        return `phải là một trong các giá trị: ${issue.options.map(shown).join(', ')}`;
      }
      return 'inclusive' in issue && issue.inclusive === false ? 'khớp với nhiều hơn một dạng được chấp nhận' : 'không khớp với dạng nào được chấp nhận';
    default:
      return 'không hợp lệ';
  }
};

z.config({ localeError: vietnameseIssueMessage });

const TYPE_NAMES: Record<string, string> = {
  string: 'chuỗi ký tự',
  number: 'số',
  int: 'số nguyên',
  bigint: 'số nguyên',
  nan: 'NaN',
  boolean: 'true hoặc false',
  date: 'ngày',
  array: 'danh sách',
  tuple: 'danh sách',
  object: 'đối tượng',
  record: 'đối tượng',
  map: 'đối tượng',
  set: 'tập hợp',
  file: 'tệp',
  null: 'null',
  undefined: 'giá trị trống',
  never: 'không có giá trị',
  function: 'hàm',
  symbol: 'symbol',
};
const typeName = (t: string): string => TYPE_NAMES[t] ?? t;
function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
  if (input instanceof Date) return 'date';
  return typeof input;
}
/** A value in a message: strings as they are (an empty one as ""), other values as JSON. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (typeof v === 'bigint') return `${v}`;
  return JSON.stringify(v) ?? String(v);
}
const UNITS: Record<string, string> = { string: 'ký tự', array: 'phần tử', set: 'phần tử', map: 'phần tử', file: 'byte' };
const dayOf = (n: number) => new Date(n).toISOString();

function tooSmall(origin: string, min: number, inclusive: boolean, exact: boolean): string {
  const unit = UNITS[origin];
  if (unit) {
    if (exact) return `phải có đúng ${min} ${unit}`;
    if (origin === 'string' && min === 1) return 'không được để trống';
    if (min === 1) return `phải có ít nhất một ${unit}`;
    return `phải có ít nhất ${min} ${unit}`;
  }
  if (origin === 'date') return inclusive ? `không được trước ${dayOf(min)}` : `phải sau ${dayOf(min)}`;
  return inclusive ? `không được nhỏ hơn ${min}` : `phải lớn hơn ${min}`;
}

function tooBig(origin: string, max: number, inclusive: boolean, exact: boolean): string {
  const unit = UNITS[origin];
  if (unit) return exact ? `phải có đúng ${max} ${unit}` : `không được quá ${max} ${unit}`;
  if (origin === 'date') return inclusive ? `không được sau ${dayOf(max)}` : `phải trước ${dayOf(max)}`;
  return inclusive ? `không được lớn hơn ${max}` : `phải nhỏ hơn ${max}`;
}

const FORMAT_NAMES: Record<string, string> = {
  email: 'địa chỉ email',
  url: 'URL',
  uuid: 'UUID',
  uuidv4: 'UUID',
  uuidv6: 'UUID',
  uuidv7: 'UUID',
  guid: 'GUID',
  datetime: 'thời điểm ISO 8601',
  date: 'ngày dạng YYYY-MM-DD',
  time: 'giờ dạng HH:MM',
  duration: 'khoảng thời gian ISO 8601',
  ipv4: 'địa chỉ IPv4',
  ipv6: 'địa chỉ IPv6',
  cidrv4: 'dải địa chỉ IPv4',
  cidrv6: 'dải địa chỉ IPv6',
  base64: 'chuỗi base64',
  base64url: 'chuỗi base64url',
  json_string: 'chuỗi JSON',
  e164: 'số điện thoại dạng E.164',
  jwt: 'JWT',
};

function formatWords(issue: { format: string; pattern?: string; prefix?: string; suffix?: string; includes?: string }): string {
  switch (issue.format) {
    case 'regex':
      return issue.pattern ? `không đúng định dạng (mẫu ${issue.pattern})` : 'không đúng định dạng';
    case 'starts_with':
      return `phải bắt đầu bằng "${issue.prefix ?? ''}"`;
    case 'ends_with':
      return `phải kết thúc bằng "${issue.suffix ?? ''}"`;
    case 'includes':
      return `phải chứa "${issue.includes ?? ''}"`;
    default: {
      const name = FORMAT_NAMES[issue.format];
      return name ? `không phải ${name} hợp lệ` : `không đúng định dạng ${issue.format}`;
    }
  }
}

/**
 * The reason a custom rule attached to its issue (`params.reason`) when it is one of `reasons`;
 * undefined for any other issue. Pages word a rule by its reason, never by its (Vietnamese) message.
 */
export function customIssueReason<R extends string>(issue: z.core.$ZodIssue, reasons: readonly R[]): R | undefined {
  const reason: unknown = issue.code === 'custom' ? issue.params?.reason : undefined;
  return reasons.find((r) => r === reason);
}

/**
 * Whether `s` is exactly `YYYY-MM-DD` (ASCII digits, nothing before or after) and names a day that
 * exists in the Gregorian calendar: 2026-02-30, 2025-02-29, 1900-02-29, month 13 and day 00 do not.
 * The application's one strict day check: the calendar's parsing (`parseIsoDate`), the API's
 * `IsoDay`, the services and the pages all use it. Years before 0100 are refused (Date.UTC reads
 * them as 19xx), which no date of this platform needs.
 */
export function isRealDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A calendar day as `YYYY-MM-DD` that exists, for query strings and bodies (422 otherwise, never a database error). */
export const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày dạng YYYY-MM-DD')
  .refine(isRealDay, 'ngày không có thật');

/**
 * A whole number in a query string or a path, written in decimal digits only (a leading minus
 * only where `min` is negative). `z.coerce.number()` reads anything `Number()` does: `0x10`,
 * `1e3`, ` 5 `, an empty string as 0; two spellings of one number are one too many for an API.
 */
export function queryInt(min: number, max: number) {
  const digits = min < 0 ? /^-?\d{1,15}$/ : /^\d{1,15}$/;
  return z
    .string()
    .regex(digits, 'phải là số nguyên viết bằng chữ số thập phân')
    .transform(Number)
    .pipe(z.number().int().min(min, `không được nhỏ hơn ${min}`).max(max, `không được lớn hơn ${max}`));
}

/** A positive number in a query string, in decimal digits with an optional fraction (`1.5`); no hex, exponent or sign. */
export function queryPositiveNumber(max: number) {
  return z
    .string()
    .regex(/^\d{1,15}(\.\d{1,15})?$/, 'phải là số viết bằng chữ số thập phân, ví dụ 5 hoặc 1.5')
    .transform(Number)
    .pipe(z.number().positive('phải lớn hơn 0').max(max, `không được lớn hơn ${max}`));
}
