import { z } from 'zod';
import { queryInt } from '../../platform/schemas.ts';
import { cleanText, normalisePhone, PHONE_INVALID } from '../../platform/text.ts';
import { DOSSIER_ACTIONS, DOSSIER_STATUSES } from './dossier-workflow.ts';

export const DossierStatus = z.enum(DOSSIER_STATUSES);
export const DossierAction = z.enum(DOSSIER_ACTIONS);
export const Channel = z.enum(['online', 'in_person', 'post']);

/** A mobile or a landline in any usual written form (platform/text.ts normalisePhone); stored as its national digits. */
const phone = z
  .string()
  .trim()
  .refine((s) => s.length <= 30 && normalisePhone(s) !== null, PHONE_INVALID);

/**
 * Text as a person meant it (platform/text.ts cleanText): invisible format and control characters
 * removed, NFC, trimmed, before the length checks, so a value of only zero-width characters is
 * empty and what is stored is the cleaned text. `multiline` keeps line breaks and tabs.
 */
const cleanString = (opts: { multiline?: boolean } = {}) => z.string().overwrite((s) => cleanText(s, opts));

/**
 * The dossier bodies are strict, as every JSON body of the API: a key the API does not know (a typo
 * such as `receivingAgencyCode` for `agencyCode`) is refused with 422 VALIDATION_FAILED ("có trường
 * không được phép", platform/schemas.ts) instead of being dropped silently, so an integrator learns
 * at once that a field was not taken.
 */
export const Applicant = z
  .strictObject({
    type: z.enum(['citizen', 'organisation']),
    fullName: cleanString().min(2, 'họ tên cần ít nhất 2 ký tự').max(200),
    idNumber: z
      .string()
      .trim()
      .regex(/^\d{12}$/, 'số định danh cá nhân gồm 12 chữ số'),
    taxCode: z
      .string()
      .trim()
      .regex(/^\d{10}(-?\d{3})?$/, 'mã số thuế gồm 10 hoặc 13 chữ số')
      .optional(),
    organisationName: cleanString().min(2, 'tên tổ chức cần ít nhất 2 ký tự').max(300).optional(),
    phone: phone.optional(),
    email: z.string().trim().toLowerCase().email('thư điện tử không hợp lệ').max(254).optional(),
    address: z.strictObject({ unitCode: z.string().regex(/^\d{5}$/, 'mã xã gồm 5 chữ số'), detail: cleanString().max(300) }).optional(),
  })
  .refine((a) => a.type === 'citizen' || !!a.taxCode, { path: ['taxCode'], message: 'tổ chức cần mã số thuế' });
export type Applicant = z.infer<typeof Applicant>;

export const FormInput = z.record(z.string().max(64), z.union([z.string().max(5000), z.number(), z.boolean(), z.null()]));

export const CreateDossierBody = z.strictObject({
  procedureCode: z.string().min(3).max(40),
  applicant: Applicant,
  form: FormInput.default({}),
  channel: Channel.optional(),
  /** The service centre that receives it; defaults to the caller's desk or the procedure's first centre. */
  agencyCode: z.string().max(64).optional(),
  /**
   * Desk only: the walk-in applicant agreed to receive SMS notifications about this dossier at the
   * given phone (recorded with the time). Applicants with an account use their account's consent.
   */
  smsConsent: z.boolean().optional(),
});
export type CreateDossierBody = z.infer<typeof CreateDossierBody>;

export const PatchDossierBody = z.strictObject({
  applicant: Applicant.optional(),
  form: FormInput.optional(),
  channel: Channel.optional(),
});

export const ActionBody = z.strictObject({
  action: DossierAction,
  note: cleanString({ multiline: true }).max(2000).optional(),
  reason: cleanString({ multiline: true }).max(2000).optional(),
  assigneeId: z.string().uuid().optional(),
  newDueAt: z.string().datetime({ offset: true }).optional(),
  /** request_payment: the amount in đồng when it differs from the fee schedule (docs/PAYMENTS.md). */
  amount: z.number().int().min(1).max(1_000_000_000_000).optional(),
});
export type ActionBody = z.infer<typeof ActionBody>;

export const FileView = z.object({
  fileId: z.string(),
  component: z.string(),
  fileName: z.string(),
  mediaType: z.string(),
  size: z.number(),
  sha256: z.string(),
  reused: z.boolean(),
  uploadedAt: z.string(),
});

export const DossierView = z.object({
  id: z.string(),
  code: z.string().nullable(),
  procedureCode: z.string(),
  procedureName: z.string(),
  procedureVersion: z.number().int(),
  status: DossierStatus,
  statusName: z.string(),
  nationalStatus: z.number().int().nullable(),
  channel: Channel,
  applicant: z.unknown(),
  /** When the walk-in applicant agreed at the desk to SMS notifications (null: not given, or the account's consent applies). */
  smsConsentAt: z.string().nullable(),
  form: z.record(z.string(), z.unknown()),
  files: z.array(FileView),
  receivingAgency: z.object({ code: z.string(), name: z.string() }),
  competentAgency: z.object({ code: z.string(), name: z.string() }),
  assigneeId: z.string().nullable(),
  /** The workflow step holding the dossier, and when it should be finished (its share of the legal time). */
  currentStep: z.object({ key: z.string(), name: z.string(), role: z.string(), dueAt: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  receivedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  returnedAt: z.string().nullable(),
  isOverdue: z.boolean(),
  supplementCount: z.number().int(),
  extensionCount: z.number().int(),
  rating: z.object({ rating: z.string(), comment: z.string().nullable() }).nullable(),
  allowedActions: z.array(DossierAction),
  version: z.number().int(),
});
export type DossierView = z.infer<typeof DossierView>;

export const DossierListItem = z.object({
  id: z.string(),
  code: z.string().nullable(),
  procedureCode: z.string(),
  procedureName: z.string(),
  status: DossierStatus,
  statusName: z.string(),
  nationalStatus: z.number().int().nullable(),
  applicantName: z.string(),
  channel: Channel,
  submittedAt: z.string().nullable(),
  receivedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  isOverdue: z.boolean(),
  assigneeId: z.string().nullable(),
  version: z.number().int(),
});

const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListQuery = z.object({
  status: z
    .string()
    .max(300)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(DossierStatus))
    .optional(),
  procedure: z.string().max(40).optional(),
  overdue: boolParam.optional(),
  dueBefore: z.string().datetime({ offset: true }).optional(),
  assignee: z.enum(['me']).optional(),
  q: z.string().max(200).optional(),
  page: queryInt(1, 100_000).default(1),
  pageSize: queryInt(1, 100).default(20),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const HistoryEntry = z.object({
  at: z.string(),
  action: z.string(),
  actor: z.object({ id: z.string().nullable(), role: z.string(), name: z.string().nullable() }),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  note: z.string().nullable(),
});

export const RatingBody = z.strictObject({
  rating: z.enum(['very_satisfied', 'satisfied', 'dissatisfied']),
  comment: cleanString({ multiline: true }).max(2000).optional(),
});

export const PublicDossier = z.object({
  code: z.string(),
  procedureName: z.string(),
  status: DossierStatus,
  statusName: z.string(),
  nationalStatus: z.number().int().nullable(),
  receivedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  agencyName: z.string(),
});
