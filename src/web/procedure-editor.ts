/**
 * The procedure editor's model: a procedure definition as the flat name → value pairs of one
 * HTML form (working without JavaScript), and back. Repeated parts (form fields, components,
 * workflow steps, fees) are numbered rows `form.3.label`; rows left entirely blank are dropped, so
 * the page can always offer a few empty rows to fill. Checkbox groups use one name per choice
 * (`channel.online`), because the portal's form parser keeps one value per name.
 * Validation stays with the procedures service (the same zod schema as the API); this file only
 * converts, and maps the service's error paths back to the inputs they concern.
 */
import type { ProcedureDefinition } from '../modules/procedures/procedures.schemas.ts';

export type EditorValues = Record<string, string>;

export const ROW_GROUPS = {
  form: ['key', 'label', 'type', 'required', 'options', 'min', 'max', 'pattern', 'help', 'step'],
  comp: ['code', 'name', 'form', 'copies', 'required', 'note'],
  wf: ['key', 'name', 'role', 'share'],
  fee: ['code', 'name', 'amount', 'perFormField'],
} as const;
export type RowGroup = keyof typeof ROW_GROUPS;

export const CHANNELS = ['online', 'in_person', 'post'] as const;
export const APPLICANT_TYPES = ['citizen', 'organisation'] as const;
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
    Object.assign(v, { [`fee.${i}.code`]: f.code, [`fee.${i}.name`]: f.name, [`fee.${i}.amount`]: String(f.amount), [`fee.${i}.perFormField`]: f.perFormField ?? '' });
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

/** The inputs whose content makes a row count (selects and checkboxes have defaults in blank rows). */
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
