/**
 * The procedure editor's model: a procedure definition as the flat name → value pairs of one
 * HTML form (working without JavaScript), and back. Repeated parts (form fields, components,
 * workflow steps, fees) are numbered rows `form.3.label`; rows left entirely blank are dropped, so
 * the page can always offer a few empty rows to fill. Checkbox groups use one name per choice
 * (`channel.online`), because the portal's form parser keeps one value per name.
 * Validation stays with the procedures schema (the same zod schema the service and the API use);
 * this file converts, and words the schema's issues for the page: in the page's language, named by
 * the input's label (and row), linked to that input (`definitionErrors`).
 */
import type { z } from 'zod';
import { ProcedureDefinition, procedureRuleReason, type ProcedureRuleReason } from '../modules/procedures/procedures.schemas.ts';
import { formatNumber, t, type Locale, type MessageKey } from './i18n.ts';

export type EditorValues = Record<string, string>;

export const ROW_GROUPS = {
  form: ['key', 'label', 'type', 'required', 'options', 'min', 'max', 'pattern', 'dateRange', 'help', 'step'],
  comp: ['code', 'name', 'form', 'copies', 'required', 'note'],
  wf: ['key', 'name', 'role', 'share'],
  fee: ['code', 'name', 'amount', 'perFormField'],
} as const;
export type RowGroup = keyof typeof ROW_GROUPS;

export const CHANNELS = ['online', 'in_person', 'post'] as const;
export const APPLICANT_TYPES = ['citizen', 'organisation'] as const;
/** The choices of a date field's limit (`dateRange`); an empty value clears it. */
export const DATE_RANGES = ['past', 'future'] as const;
/** Most rows a group may have (the schema's own limits are checked by the service). */
export const MAX_ROWS = 200;

const num = (n: number | undefined) => (n === undefined ? '' : String(n));

/** A definition as form values (for editing an existing version). */
export function definitionToValues(def: ProcedureDefinition, decisionRef = ''): EditorValues {
  const v: EditorValues = {
    name: def.name,
    fieldCode: def.fieldCode,
    tier: def.tier,
    competentAgencyCode: def.competentAgencyCode,
    onlineLevel: def.onlineLevel,
    durationValue: num(def.duration.value),
    durationUnit: def.duration.unit,
    steps: def.steps,
    eligibility: def.eligibility,
    resultKind: def.resultKind,
    resultDescription: def.resultDescription,
    resultDelivery: def.resultDelivery,
    legalBasis: def.legalBasis.join('\n'),
    popularity: String(def.popularity),
    decisionRef,
  };
  for (const c of def.receivingAgencyCodes) v[`recv.${c}`] = 'on';
  for (const c of def.channels) v[`channel.${c}`] = 'on';
  for (const a of def.applicantTypes) v[`applicant.${a}`] = 'on';
  def.form.forEach((f, i) => {
    Object.assign(v, {
      [`form.${i}.key`]: f.key,
      [`form.${i}.label`]: f.label,
      [`form.${i}.type`]: f.type,
      [`form.${i}.required`]: f.required ? 'on' : '',
      [`form.${i}.options`]: (f.options ?? []).map((o) => (o.value === o.label ? o.value : `${o.value} | ${o.label}`)).join('\n'),
      [`form.${i}.min`]: num(f.min),
      [`form.${i}.max`]: num(f.max),
      [`form.${i}.pattern`]: f.pattern ?? '',
      [`form.${i}.dateRange`]: f.dateRange ?? '',
      [`form.${i}.help`]: f.help ?? '',
      [`form.${i}.step`]: num(f.step),
    });
  });
  def.components.forEach((c, i) => {
    Object.assign(v, {
      [`comp.${i}.code`]: c.code,
      [`comp.${i}.name`]: c.name,
      [`comp.${i}.form`]: c.form,
      [`comp.${i}.copies`]: String(c.copies),
      [`comp.${i}.required`]: c.required ? 'on' : '',
      [`comp.${i}.note`]: c.note ?? '',
    });
  });
  def.workflow.forEach((w, i) => {
    Object.assign(v, { [`wf.${i}.key`]: w.key, [`wf.${i}.name`]: w.name, [`wf.${i}.role`]: w.role, [`wf.${i}.share`]: String(w.share) });
  });
  def.fees.forEach((f, i) => {
    Object.assign(v, {
      [`fee.${i}.code`]: f.code,
      [`fee.${i}.name`]: f.name,
      [`fee.${i}.amount`]: String(f.amount),
      [`fee.${i}.perFormField`]: f.perFormField ?? '',
    });
  });
  v['rows.form'] = String(def.form.length);
  v['rows.comp'] = String(def.components.length);
  v['rows.wf'] = String(def.workflow.length);
  v['rows.fee'] = String(def.fees.length);
  return v;
}

/** The submitted form's values (strings only, NFC, trimmed, bounded), keeping only editor names. */
export function valuesFromBody(body: Record<string, unknown>): EditorValues {
  const out: EditorValues = {};
  for (const [k, raw] of Object.entries(body)) {
    if (!/^[a-zA-Z][\w.-]{0,120}$/.test(k)) continue;
    const s = Array.isArray(raw) ? raw[0] : raw;
    if (typeof s !== 'string') continue;
    out[k] = s.normalize('NFC').trim().slice(0, 20_000);
  }
  return out;
}

/** How many rows a group shows: its highest filled row + 1, at least the stated count. */
export function rowCount(v: EditorValues, group: RowGroup): number {
  let n = Math.min(MAX_ROWS, Math.max(0, Number.parseInt(v[`rows.${group}`] ?? '0', 10) || 0));
  const prefix = `${group}.`;
  for (const k of Object.keys(v)) {
    if (!k.startsWith(prefix) || !v[k]) continue;
    const i = Number.parseInt(k.slice(prefix.length), 10);
    if (Number.isInteger(i) && i >= 0 && i < MAX_ROWS) n = Math.max(n, i + 1);
  }
  return n;
}

/** The inputs whose content makes a row count (selects and checkboxes have defaults in blank rows; the date limit's is empty, but it only refines a field). */
const CONTENT: Record<RowGroup, readonly string[]> = {
  form: ['key', 'label', 'options', 'min', 'max', 'pattern', 'help', 'step'],
  comp: ['code', 'name', 'copies', 'note'],
  wf: ['key', 'name', 'share'],
  fee: ['code', 'name', 'amount', 'perFormField'],
};

/** The original row numbers of the rows that carry data, in order. */
export function filledRows(v: EditorValues, group: RowGroup): number[] {
  const rows: number[] = [];
  for (let i = 0; i < rowCount(v, group); i++) {
    if (CONTENT[group].some((f) => v[`${group}.${i}.${f}`])) rows.push(i);
  }
  return rows;
}

/** A number from a form value: undefined when empty, NaN (rejected by the schema) when not a number. */
function toNumber(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s.replace(/\s/g, '').replace(',', '.'));
  return Number.isFinite(n) ? n : Number.NaN;
}

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The definition the form describes (unvalidated: the service checks it). Also returns, for
 * each group, which form row each definition item came from, to put errors next to their inputs.
 */
export function valuesToDefinition(v: EditorValues, agencyCodes: readonly string[]): { input: Record<string, unknown>; rowOf: Record<RowGroup, number[]> } {
  const rowOf = { form: filledRows(v, 'form'), comp: filledRows(v, 'comp'), wf: filledRows(v, 'wf'), fee: filledRows(v, 'fee') };
  const opt = (s: string | undefined) => (s ? s : undefined);
  const input: Record<string, unknown> = {
    name: v.name ?? '',
    fieldCode: v.fieldCode ?? '',
    tier: v.tier ?? '',
    competentAgencyCode: v.competentAgencyCode ?? '',
    receivingAgencyCodes: agencyCodes.filter((c) => v[`recv.${c}`] === 'on'),
    onlineLevel: v.onlineLevel ?? '',
    channels: CHANNELS.filter((c) => v[`channel.${c}`] === 'on'),
    applicantTypes: APPLICANT_TYPES.filter((a) => v[`applicant.${a}`] === 'on'),
    duration: { value: toNumber(v.durationValue) ?? Number.NaN, unit: v.durationUnit ?? '' },
    steps: v.steps ?? '',
    eligibility: v.eligibility ?? '',
    resultKind: v.resultKind ?? '',
    resultDescription: v.resultDescription ?? '',
    resultDelivery: v.resultDelivery ?? '',
    legalBasis: lines(v.legalBasis),
    popularity: toNumber(v.popularity) ?? 0,
    form: rowOf.form.map((i) => {
      const f = (name: string) => v[`form.${i}.${name}`];
      const options = lines(f('options')).map((l) => {
        const bar = l.indexOf('|');
        return bar < 0 ? { value: l, label: l } : { value: l.slice(0, bar).trim(), label: l.slice(bar + 1).trim() };
      });
      return {
        key: f('key') ?? '',
        label: f('label') ?? '',
        type: f('type') ?? '',
        required: f('required') === 'on',
        ...(options.length ? { options } : {}),
        ...(toNumber(f('min')) !== undefined ? { min: toNumber(f('min')) } : {}),
        ...(toNumber(f('max')) !== undefined ? { max: toNumber(f('max')) } : {}),
        ...(opt(f('pattern')) ? { pattern: f('pattern') } : {}),
        ...(opt(f('dateRange')) ? { dateRange: f('dateRange') } : {}),
        ...(opt(f('help')) ? { help: f('help') } : {}),
        ...(toNumber(f('step')) !== undefined ? { step: toNumber(f('step')) } : {}),
      };
    }),
    components: rowOf.comp.map((i) => {
      const f = (name: string) => v[`comp.${i}.${name}`];
      return {
        code: f('code') ?? '',
        name: f('name') ?? '',
        form: f('form') || 'original_or_copy',
        copies: toNumber(f('copies')) ?? 1,
        required: f('required') === 'on',
        ...(opt(f('note')) ? { note: f('note') } : {}),
      };
    }),
    workflow: rowOf.wf.map((i) => ({
      key: v[`wf.${i}.key`] ?? '',
      name: v[`wf.${i}.name`] ?? '',
      role: v[`wf.${i}.role`] ?? '',
      share: toNumber(v[`wf.${i}.share`]) ?? Number.NaN,
    })),
    fees: rowOf.fee.map((i) => ({
      code: v[`fee.${i}.code`] ?? '',
      name: v[`fee.${i}.name`] ?? '',
      amount: toNumber(v[`fee.${i}.amount`]) ?? Number.NaN,
      ...(opt(v[`fee.${i}.perFormField`]) ? { perFormField: v[`fee.${i}.perFormField`] } : {}),
    })),
  };
  return { input, rowOf };
}

const GROUP_OF_PATH: Record<string, RowGroup> = { form: 'form', components: 'comp', workflow: 'wf', fees: 'fee' };

/**
 * The input id an error path of the service points at (`definition.form.2.key` → the key input of
 * the form row the third field came from), or the section for whole-list errors.
 */
export function inputIdOfPath(path: string, rowOf: Record<RowGroup, number[]>): string {
  const parts = path.split('.').filter((p) => p !== 'definition');
  const [head, index, field] = parts;
  if (!head) return 'p-name';
  const group = GROUP_OF_PATH[head];
  if (group) {
    const i = Number(index);
    if (index === undefined || !Number.isInteger(i)) return `sec-${group}`;
    const row = rowOf[group][i] ?? i;
    const name = field && (ROW_GROUPS[group] as readonly string[]).includes(field) ? field : ROW_GROUPS[group][0];
    return inputId(`${group}.${row}.${name}`);
  }
  if (head === 'duration') return 'p-durationValue';
  if (head === 'receivingAgencyCodes') return 'sec-recv';
  if (head === 'channels') return 'sec-channels';
  if (head === 'applicantTypes') return 'sec-applicants';
  return `p-${head}`;
}

/** The id of the input named `name` (dots are not used in ids so they stay valid CSS selectors). */
export const inputId = (name: string) => `p-${name.replace(/\./g, '-')}`;

/** A message next to the input it concerns (the page's error summary links to `anchor`). */
export interface EditorError {
  anchor: string;
  message: string;
}
type Issue = z.core.$ZodIssue;

/** The label of each input or section the schema's paths name (top level, then the columns of each row group). */
const TOP_LABELS: Record<string, MessageKey> = {
  name: 'admin.edit.name',
  fieldCode: 'admin.edit.field',
  tier: 'admin.edit.tier',
  competentAgencyCode: 'admin.edit.competent',
  receivingAgencyCodes: 'admin.edit.receiving',
  onlineLevel: 'admin.edit.level',
  channels: 'admin.edit.channels',
  applicantTypes: 'admin.edit.applicants',
  duration: 'admin.edit.duration',
  steps: 'admin.edit.steps',
  eligibility: 'admin.edit.eligibility',
  resultKind: 'admin.edit.resultKind',
  resultDescription: 'admin.edit.resultDescription',
  resultDelivery: 'admin.edit.resultDelivery',
  legalBasis: 'admin.edit.legalBasis',
  popularity: 'admin.edit.popularity',
  form: 'admin.edit.formFields',
  components: 'admin.edit.components',
  workflow: 'admin.edit.workflow',
  fees: 'admin.edit.fees',
};
const COLUMN_LABELS: Record<RowGroup, Record<string, MessageKey>> = {
  form: {
    key: 'admin.col.key',
    label: 'admin.col.label',
    type: 'admin.col.type',
    required: 'admin.col.required',
    options: 'admin.col.options',
    min: 'admin.col.min',
    max: 'admin.col.max',
    pattern: 'admin.col.pattern',
    dateRange: 'admin.col.dateRange',
    help: 'admin.col.help',
    step: 'admin.col.step',
  },
  comp: {
    code: 'admin.col.compCode',
    name: 'admin.col.compName',
    form: 'admin.col.compForm',
    copies: 'admin.col.copies',
    required: 'admin.col.required',
    note: 'admin.col.note',
  },
  wf: { key: 'admin.col.stepKey', name: 'admin.col.stepName', role: 'admin.col.role', share: 'admin.col.share' },
  fee: { code: 'admin.col.feeCode', name: 'admin.col.feeName', amount: 'admin.col.amount', perFormField: 'admin.col.perField' },
};
/** Each row group's identifying column (checked for duplicates) and the schema list it fills. */
const KEY_COLUMN: Record<'form' | 'comp' | 'wf', { list: string; column: string }> = {
  form: { list: 'form', column: 'key' },
  comp: { list: 'components', column: 'code' },
  wf: { list: 'workflow', column: 'key' },
};
/** Lists the page shows as check boxes: "choose at least one" rather than "at least one row". */
const CHECK_GROUPS = new Set(['receivingAgencyCodes', 'channels', 'applicantTypes']);
/**
 * The words of each custom rule of the schema (procedures.schemas.ts), by the issue's reason. A key
 * repeated across rows (`duplicate_key`) is not here: the schema reports it for the whole list, the
 * page at the repeating row (duplicateErrors).
 */
const RULE_WORDS: Record<Exclude<ProcedureRuleReason, 'duplicate_key'>, MessageKey> = {
  select_options: 'admin.err.selectOptions',
  min_above_max: 'admin.err.minAboveMax',
  duplicate_option: 'admin.err.duplicateOption',
  pattern_type: 'admin.err.patternType',
  pattern_invalid: 'admin.err.patternInvalid',
  date_range_type: 'admin.err.dateRangeType',
  whole_number: 'admin.err.wholeNumber',
  shares_sum: 'admin.err.sharesSum',
  last_leader: 'admin.err.lastLeader',
  per_form_field: 'admin.err.perFormField',
};

/** Where a schema path is on the page: its label ("Biểu mẫu điện tử, dòng 2, Nhỏ nhất") and the input's id. */
export function placeOfPath(locale: Locale, path: readonly PropertyKey[], rowOf: Record<RowGroup, number[]>): { label: string; anchor: string } {
  const parts = path.map(String);
  const [head = 'name', index, column] = parts;
  const anchor = inputIdOfPath(parts.join('.'), rowOf);
  const section = t(locale, TOP_LABELS[head] ?? 'admin.edit.general');
  const group = GROUP_OF_PATH[head];
  const i = Number(index);
  if (group && index !== undefined && Number.isInteger(i)) {
    const n = (rowOf[group][i] ?? i) + 1;
    const col = column ? COLUMN_LABELS[group][column] : undefined;
    return { anchor, label: col ? t(locale, 'admin.edit.rowColumn', { section, n, column: t(locale, col) }) : t(locale, 'admin.edit.rowOf', { section, n }) };
  }
  if (head === 'duration' && index === 'unit') return { anchor: 'p-durationUnit', label: t(locale, 'admin.edit.durationUnit') };
  if (head === 'legalBasis' && index !== undefined && Number.isInteger(i)) return { anchor, label: t(locale, 'admin.edit.rowOf', { section, n: i + 1 }) };
  return { anchor, label: section };
}

/** What is wrong, in words (without the label): one case per kind of issue the schema reports. */
export function issueWords(locale: Locale, issue: Issue): string {
  const head = String(issue.path[0] ?? '');
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') {
        if (CHECK_GROUPS.has(head)) return t(locale, 'admin.set.err.chooseMin', { min });
        return t(locale, 'admin.err.minRows', { min });
      }
      if (issue.origin === 'string') return min <= 1 ? t(locale, 'admin.set.err.required') : t(locale, 'admin.err.minLength', { min });
      return issue.inclusive ? t(locale, 'admin.set.err.min', { min }) : t(locale, 'admin.err.above', { min });
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return t(locale, 'admin.err.maxRows', { max });
      if (issue.origin === 'string') return t(locale, 'admin.set.err.maxLength', { max });
      return issue.inclusive ? t(locale, 'admin.set.err.max', { max }) : t(locale, 'admin.err.below', { max });
    }
    case 'invalid_type':
      if (issue.expected === 'int') return t(locale, 'admin.set.err.integer');
      if (issue.expected === 'number') return t(locale, 'admin.set.err.number');
      return t(locale, 'admin.set.err.required');
    case 'invalid_value':
      return t(locale, 'admin.err.choice');
    case 'invalid_format':
      // The only pattern the schema has outside custom rules: the snake_case keys and codes.
      return t(locale, 'admin.err.key');
    case 'unrecognized_keys':
      // Every object of the definition is strict: the page never sends a key of its own, but a definition from elsewhere may.
      return t(locale, 'admin.err.unknownKeys', { keys: issue.keys.join(', ') });
    case 'custom': {
      const reason = procedureRuleReason(issue);
      if (!reason || reason === 'duplicate_key') return t(locale, 'admin.err.invalid');
      const total = Number(issue.params?.total);
      return t(locale, RULE_WORDS[reason], { total: Number.isFinite(total) ? formatNumber(locale, Math.round(total * 1e6) / 1e6) : '' });
    }
    default:
      return t(locale, 'admin.err.invalid');
  }
}

/** Rows whose key (or code) repeats an earlier row's, as errors at the repeating row's key input. */
function duplicateErrors(locale: Locale, v: EditorValues, rowOf: Record<RowGroup, number[]>): EditorError[] {
  const out: EditorError[] = [];
  for (const group of ['form', 'comp', 'wf'] as const) {
    const { list, column } = KEY_COLUMN[group];
    const firstRow = new Map<string, number>();
    rowOf[group].forEach((row, i) => {
      const key = v[`${group}.${row}.${column}`] ?? '';
      if (!key) return;
      const first = firstRow.get(key);
      if (first === undefined) {
        firstRow.set(key, row);
        return;
      }
      const place = placeOfPath(locale, [list, i, column], rowOf);
      out.push({
        anchor: place.anchor,
        message: t(locale, 'admin.errInvalid', { label: place.label, message: t(locale, 'admin.err.duplicateKey', { key, n: first + 1 }) }),
      });
    });
  }
  return out;
}

/**
 * Every problem of the definition the form describes, at once: the schema's issues (the same
 * schema the service checks) in the page's language, each named by its input's label and row and
 * linked to it, plus keys repeated across rows (the schema reports those only once everything
 * else is valid, and only for the whole list), plus a field or agency not among the page's choices.
 */
export function definitionErrors(
  locale: Locale,
  v: EditorValues,
  input: Record<string, unknown>,
  rowOf: Record<RowGroup, number[]>,
  known: { fields: readonly string[]; agencies: readonly string[] },
): EditorError[] {
  const parsed = ProcedureDefinition.safeParse(input);
  const issues = parsed.success ? [] : parsed.error.issues.filter((i) => procedureRuleReason(i) !== 'duplicate_key');
  const errors = issues.map((issue): EditorError => {
    const place = placeOfPath(locale, issue.path, rowOf);
    return { anchor: place.anchor, message: t(locale, 'admin.errInvalid', { label: place.label, message: issueWords(locale, issue) }) };
  });
  const unknown = (name: 'fieldCode' | 'competentAgencyCode', list: readonly string[]) => {
    const value = v[name];
    if (value && !list.includes(value))
      errors.push({
        anchor: inputId(name),
        message: t(locale, 'admin.errInvalid', { label: t(locale, TOP_LABELS[name]!), message: t(locale, 'admin.err.unknownChoice') }),
      });
  };
  unknown('fieldCode', known.fields);
  unknown('competentAgencyCode', known.agencies);
  return [...errors, ...duplicateErrors(locale, v, rowOf)];
}
