import { z } from 'zod';
import { customIssueReason, queryInt } from '../../platform/schemas.ts';

export const DurationUnit = z.enum(['hours', 'days', 'working_days', 'months']);
export type DurationUnit = z.infer<typeof DurationUnit>;

export const FormFieldType = z.enum(['text', 'textarea', 'number', 'date', 'select', 'checkbox', 'email', 'phone', 'id_number', 'tax_code', 'unit_code']);
export type FormFieldType = z.infer<typeof FormFieldType>;

/** Field types whose answer is checked against `pattern` (after normalisation; form-validation.ts). */
export const PATTERN_FIELD_TYPES: readonly FormFieldType[] = ['text', 'textarea', 'email', 'phone', 'id_number', 'tax_code', 'unit_code'];

/**
 * Which days a date field accepts, counted from "today" (the calendar day in Asia/Ho_Chi_Minh when
 * the answer is checked): `past` = today or earlier (a birth, a death, a document's issue date),
 * `future` = today or later (a desired or announced date). No rule: any valid date.
 */
export const DateRange = z.enum(['past', 'future']);
export type DateRange = z.infer<typeof DateRange>;

/**
 * The reason of each custom rule of the definition (the issue's `params.reason`), for a page to word
 * it in its own language without reading the message, which stays Vietnamese (the API's) and may be
 * reworded. `shares_sum` also has the shares' sum ({total}), `duplicate_key` the repeated key ({key}).
 */
export const PROCEDURE_RULE_REASONS = [
  'select_options',
  'min_above_max',
  'duplicate_option',
  'pattern_type',
  'pattern_invalid',
  'date_range_type',
  'duplicate_key',
  'whole_number',
  'shares_sum',
  'last_leader',
  'per_form_field',
] as const;
export type ProcedureRuleReason = (typeof PROCEDURE_RULE_REASONS)[number];

/** A custom rule's issue: its message (the API's), where it is, and its reason with its values. */
const rule = (reason: ProcedureRuleReason, message: string, path: PropertyKey[], values: Record<string, string | number> = {}) => ({
  message,
  path,
  params: { reason, ...values },
});

/** The reason of an issue raised by one of the definition's custom rules; undefined for any other issue. */
export function procedureRuleReason(issue: z.core.$ZodIssue): ProcedureRuleReason | undefined {
  return customIssueReason(issue, PROCEDURE_RULE_REASONS);
}

const nonEmpty = z.string().trim().min(1).max(2000);
const key = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'snake_case, bắt đầu bằng chữ cái');

/**
 * Every object of a definition is strict, at every level (the definition, its duration, each form
 * field and option, component, workflow step and fee): a key the schema does not know
 * (`requried: true`, `shareOfTime`) is an issue at that object's path ("có trường không được phép:
 * requried"), so a misspelt member is refused instead of being dropped silently.
 */
export const FormField = z
  .strictObject({
    key,
    label: nonEmpty,
    type: FormFieldType,
    required: z.boolean(),
    options: z
      .array(z.strictObject({ value: z.string().trim().min(1).max(200), label: nonEmpty }))
      .min(1)
      .optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: z.string().max(500).optional(),
    help: z.string().max(2000).optional(),
    /** Date fields only: the answer must be on or before (`past`) or on or after (`future`) today. */
    dateRange: DateRange.optional(),
    /** Optional: the wizard step this field is shown on (long forms are split into steps). */
    step: z.number().int().min(1).max(20).optional(),
  })
  .refine((f) => f.type !== 'select' || (f.options?.length ?? 0) > 0, rule('select_options', 'danh sách chọn cần ít nhất một lựa chọn', ['options']))
  .refine((f) => f.min === undefined || f.max === undefined || f.min <= f.max, rule('min_above_max', 'min không được lớn hơn max', ['min']))
  .refine(
    (f) => !f.options || new Set(f.options.map((o) => o.value)).size === f.options.length,
    rule('duplicate_option', 'có hai lựa chọn trùng giá trị', ['options']),
  )
  .refine(
    (f) => f.pattern === undefined || PATTERN_FIELD_TYPES.includes(f.type),
    rule('pattern_type', `pattern chỉ dùng cho trường kiểu ${PATTERN_FIELD_TYPES.join(', ')}`, ['pattern']),
  )
  .refine((f) => f.dateRange === undefined || f.type === 'date', rule('date_range_type', 'dateRange chỉ dùng cho trường kiểu ngày (date)', ['dateRange']))
  .refine(
    (f) => {
      if (f.pattern === undefined) return true;
      try {
        new RegExp(f.pattern, 'u');
        return true;
      } catch {
        return false;
      }
    },
    rule('pattern_invalid', 'không phải biểu thức chính quy hợp lệ', ['pattern']),
  );
export type FormField = z.infer<typeof FormField>;

export const Component = z.strictObject({
  code: key,
  name: nonEmpty,
  form: z.enum(['original', 'copy', 'original_or_copy']),
  copies: z.number().int().min(1).max(50),
  required: z.boolean(),
  note: z.string().max(2000).optional(),
});
export type Component = z.infer<typeof Component>;

export const WorkflowStep = z.strictObject({
  key,
  name: nonEmpty,
  role: z.enum(['specialist', 'leader']),
  share: z.number().gt(0).lte(1),
});
export type WorkflowStep = z.infer<typeof WorkflowStep>;

export const Fee = z.strictObject({
  code: key,
  name: nonEmpty,
  amount: z.number().int().min(0).max(1_000_000_000_000),
  perFormField: z.string().optional(),
});

/** Everything a procedure publishes (Decree 63/2010 art. 8 and DOMAIN section 3). */
export const ProcedureDefinition = z
  .strictObject({
    name: nonEmpty,
    fieldCode: z.string().min(1).max(64),
    tier: z.enum(['province', 'commune']),
    competentAgencyCode: z.string().min(1).max(64),
    receivingAgencyCodes: z.array(z.string().min(1).max(64)).min(1),
    onlineLevel: z.enum(['full', 'partial']),
    channels: z.array(z.enum(['in_person', 'online', 'post'])).min(1),
    applicantTypes: z.array(z.enum(['citizen', 'organisation'])).min(1),
    duration: z.strictObject({ value: z.number().positive().max(10_000), unit: DurationUnit }),
    steps: nonEmpty.max(20_000),
    eligibility: nonEmpty,
    resultKind: z.enum(['paper', 'electronic', 'both']),
    resultDescription: nonEmpty,
    resultDelivery: nonEmpty,
    legalBasis: z.array(nonEmpty).min(1),
    fees: z.array(Fee),
    components: z.array(Component),
    form: z.array(FormField).max(200),
    workflow: z.array(WorkflowStep).min(1).max(20),
    popularity: z.number().int().min(0).default(0),
  })
  .superRefine((d, ctx) => {
    const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
    const k = dup(d.form.map((f) => f.key));
    if (k) ctx.addIssue({ code: 'custom', ...rule('duplicate_key', `trùng mã trường ${k}`, ['form'], { key: k }) });
    const c = dup(d.components.map((x) => x.code));
    if (c) ctx.addIssue({ code: 'custom', ...rule('duplicate_key', `trùng mã thành phần ${c}`, ['components'], { key: c }) });
    const s = dup(d.workflow.map((x) => x.key));
    if (s) ctx.addIssue({ code: 'custom', ...rule('duplicate_key', `trùng mã bước ${s}`, ['workflow'], { key: s }) });
    // Civil Code art. 147–148 count whole days and months (calendar/due-date.ts refuses fractions).
    if ((d.duration.unit === 'days' || d.duration.unit === 'months') && !Number.isInteger(d.duration.value)) {
      ctx.addIssue({ code: 'custom', ...rule('whole_number', 'thời hạn tính theo ngày hoặc tháng phải là số nguyên', ['duration', 'value']) });
    }
    const total = d.workflow.reduce((a, w) => a + w.share, 0);
    if (Math.abs(total - 1) > 1e-6)
      ctx.addIssue({ code: 'custom', ...rule('shares_sum', `tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là ${total})`, ['workflow'], { total }) });
    if (d.workflow.at(-1)?.role !== 'leader')
      ctx.addIssue({ code: 'custom', ...rule('last_leader', 'bước cuối cùng phải là lãnh đạo phê duyệt', ['workflow']) });
    for (const [i, fee] of d.fees.entries()) {
      if (fee.perFormField && !d.form.some((f) => f.key === fee.perFormField && f.type === 'number')) {
        ctx.addIssue({ code: 'custom', ...rule('per_form_field', 'phải là mã của một trường kiểu số trong biểu mẫu', ['fees', i, 'perFormField']) });
      }
    }
  });
export type ProcedureDefinition = z.infer<typeof ProcedureDefinition>;

/**
 * A definition as the API answers it (`GET /procedures/{code}`, and so the OpenAPI document): the
 * members of ProcedureDefinition with their types and choices, without its checks (lengths,
 * patterns, the rules across members) and not strict, so a version stored under older rules is
 * still answered as it was published. `procedures.schemas.test.ts` holds its members to the input
 * schema's, at every level.
 */
export const ProcedureDefinitionView = z.object({
  name: z.string(),
  fieldCode: z.string(),
  tier: z.enum(['province', 'commune']),
  competentAgencyCode: z.string(),
  receivingAgencyCodes: z.array(z.string()),
  onlineLevel: z.enum(['full', 'partial']),
  channels: z.array(z.enum(['in_person', 'online', 'post'])),
  applicantTypes: z.array(z.enum(['citizen', 'organisation'])),
  duration: z.object({ value: z.number(), unit: DurationUnit }),
  steps: z.string(),
  eligibility: z.string(),
  resultKind: z.enum(['paper', 'electronic', 'both']),
  resultDescription: z.string(),
  resultDelivery: z.string(),
  legalBasis: z.array(z.string()),
  fees: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      amount: z.number().int().describe('đồng'),
      perFormField: z.string().optional().describe('The amount is per unit of this number field of the form'),
    }),
  ),
  components: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      form: z.enum(['original', 'copy', 'original_or_copy']),
      copies: z.number().int(),
      required: z.boolean(),
      note: z.string().optional(),
    }),
  ),
  form: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      type: FormFieldType,
      required: z.boolean(),
      options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      pattern: z.string().optional().describe('The answer must match this regular expression (Unicode), after normalisation'),
      help: z.string().optional(),
      dateRange: DateRange.optional().describe('past: today or earlier; future: today or later (Asia/Ho_Chi_Minh)'),
      step: z.number().int().optional().describe('The wizard step the field is shown on'),
    }),
  ),
  workflow: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      role: z.enum(['specialist', 'leader']),
      share: z.number().describe("The step's share of the processing time; the shares add up to 1"),
    }),
  ),
  popularity: z.number().int(),
});

export const ProcedureCode = z.string().regex(/^[0-9A-Za-z.\-_]{3,40}$/, 'mã thủ tục không hợp lệ');

export const ProcedureSummary = z.object({
  code: z.string(),
  name: z.string(),
  fieldCode: z.string(),
  fieldName: z.string(),
  tier: z.enum(['province', 'commune']),
  onlineLevel: z.enum(['full', 'partial']),
  competentAgency: z.object({ code: z.string(), name: z.string() }),
  version: z.number().int(),
  duration: z.object({ value: z.number(), unit: DurationUnit }),
  hasFee: z.boolean(),
});
export type ProcedureSummary = z.infer<typeof ProcedureSummary>;

export const ProcedureDetail = ProcedureSummary.extend({
  definition: ProcedureDefinitionView,
  receivingAgencies: z.array(z.object({ code: z.string(), name: z.string() })),
  publishedAt: z.string().nullable(),
});

export const ProcedureSearchQuery = z.object({
  q: z.string().max(200).optional(),
  field: z.string().max(64).optional(),
  agency: z.string().max(64).optional(),
  level: z.enum(['full', 'partial']).optional(),
  tier: z.enum(['province', 'commune']).optional(),
  page: queryInt(1, 10_000).default(1),
  pageSize: queryInt(1, 100).default(20),
});
export type ProcedureSearchQuery = z.infer<typeof ProcedureSearchQuery>;
