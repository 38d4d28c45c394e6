import type {} from '@fastify/multipart';
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { users } from '../db/schema.ts';
import { availableForms, listDossierResults } from '../modules/documents/index.ts';
import { Applicant, RatingBody, type ActionBody, type DossierView } from '../modules/dossiers/dossiers.schemas.ts';
import {
  attachFile,
  createDossier,
  getFile,
  performAction,
  rateDossier,
  removeFile,
  selfFilingRefusal,
  submitDossier,
  updateDossier,
} from '../modules/dossiers/dossiers.service.ts';
import { getDossierView, getHistory, listDossiers } from '../modules/dossiers/dossiers.views.ts';
import { validateForm } from '../modules/procedures/form-validation.ts';
import type { ProcedureRecord } from '../modules/procedures/procedures.repo.ts';
import { ProcedureCode } from '../modules/procedures/procedures.schemas.ts';
import { getProcedure } from '../modules/procedures/procedures.service.ts';
import { unitNamesByCode } from '../modules/reference/reference.service.ts';
import type { Actor } from '../platform/context.ts';
import { AppError, type FieldError } from '../platform/errors.ts';
import { sendInlineFile, type LocalFileStore } from '../platform/files.ts';
import { openUserFields } from '../platform/personal-data.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import { getSetting } from '../platform/settings.ts';
import {
  anchorOfPath,
  APPLICANT_KEYS,
  applicantAnchor,
  checkPage,
  componentAnchor,
  dossierPage,
  draftPage,
  fieldAnchor,
  flowBase,
  minePage,
  startPage,
  type ApplicantInput,
  type ApplicantKind,
  type FlowMode,
  type FormInputValues,
  type PageError,
  type UnitNames,
  unitCodesOf,
} from './application-pages.ts';
import { html } from './html.ts';
import { t, type Locale, type MessageKey } from './i18n.ts';
import { dossierConflictText, servicePageErrors } from './service-errors.ts';
import type { PageCtx } from './layout.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';

/** What the application flow borrows from the portal plugin (web.routes.ts). */
export interface WebHelpers {
  config: Config;
  database: Database;
  /** The app's attachment store (the API's): one per process. */
  files: LocalFileStore;
  pageCtx: (req: FastifyRequest, reply: FastifyReply) => PageCtx;
  csrfValid: (req: FastifyRequest, body: Record<string, unknown>) => boolean;
  send: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  locale: (req: FastifyRequest) => Locale;
}

const PAGE_SIZE = 20;
/** The one-time token of a form (the start form's and the upload forms' `nonce`): 24 hex digits. */
const UPLOAD_NONCE_RE = /^[0-9a-f]{24}$/;

export function str(v: unknown, max: number): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.normalize('NFC').trim().slice(0, max) : '';
}

export const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const isApplicantActor = (a: Actor | null): a is Actor & { kind: ApplicantKind } => !!a && (a.kind === 'citizen' || a.kind === 'organisation');

const APPLICANT_LABELS: Record<(typeof APPLICANT_KEYS)[number], MessageKey> = {
  fullName: 'app.fullName',
  idNumber: 'app.idNumber',
  organisationName: 'app.organisationName',
  taxCode: 'app.taxCode',
  phone: 'app.phone',
  email: 'app.email',
};

/** A label inside a sentence: its first letter in lower case, unless it starts an abbreviation ("CCCD" stays). */
const lowerFirst = (label: string) => label.replace(/^\p{Lu}(?!\p{Lu})/u, (c) => c.toLowerCase());

export function applicantFromStored(v: unknown): { kind: ApplicantKind; input: ApplicantInput } {
  const a = record(v);
  const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
  return {
    kind: a.type === 'organisation' ? 'organisation' : 'citizen',
    input: {
      fullName: s('fullName'),
      idNumber: s('idNumber'),
      organisationName: s('organisationName'),
      taxCode: s('taxCode'),
      phone: s('phone'),
      email: s('email'),
    },
  };
}

export function applicantFromBody(body: Record<string, unknown>): ApplicantInput {
  const out = {} as ApplicantInput;
  for (const k of APPLICANT_KEYS) out[k] = str(body[applicantAnchor(k)], 300);
  return out;
}

/**
 * A rule of the Applicant schema (dossiers.schemas.ts) a field broke, in the page's language, by
 * the field and the zod issue (the schema's own messages are Vietnamese: the Vietnamese words are
 * theirs, word for word); null for an issue the catalogue does not know (its message is said).
 */
function applicantIssueText(locale: Locale, k: string, issue: z.core.$ZodIssue, label: string): string | null {
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return t(locale, 'form.err.too_long', { label, max: issue.maximum });
  switch (k) {
    case 'fullName':
      return issue.code === 'too_small' ? t(locale, 'app.err.applicant.nameShort', { label }) : null;
    case 'organisationName':
      return issue.code === 'too_small' ? t(locale, 'app.err.applicant.organisationShort', { label }) : null;
    case 'idNumber':
      return t(locale, 'app.err.applicant.idNumber', { label });
    case 'taxCode':
      return t(locale, issue.code === 'custom' ? 'app.err.applicant.taxCodeMissing' : 'app.err.applicant.taxCode', { label });
    case 'phone':
      return t(locale, 'form.err.phone', { label });
    case 'email':
      return t(locale, 'app.err.applicant.email', { label });
    default:
      return null;
  }
}

/** Checks the applicant fields with the API's schema; messages name the field. */
export function checkApplicant(locale: Locale, kind: ApplicantKind, a: ApplicantInput): { value: Applicant | null; errors: PageError[] } {
  const required: (typeof APPLICANT_KEYS)[number][] =
    kind === 'organisation' ? ['fullName', 'idNumber', 'organisationName', 'taxCode'] : ['fullName', 'idNumber'];
  const errors: PageError[] = [];
  for (const k of required) {
    if (!a[k]) errors.push({ anchor: applicantAnchor(k), message: t(locale, 'app.err.required', { label: lowerFirst(t(locale, APPLICANT_LABELS[k])) }) });
  }
  const candidate: Record<string, unknown> = { type: kind, fullName: a.fullName, idNumber: a.idNumber.replace(/\s/g, '') };
  if (kind === 'organisation') {
    candidate.organisationName = a.organisationName;
    candidate.taxCode = a.taxCode.replace(/\s/g, '');
  }
  if (a.phone) candidate.phone = a.phone.replace(/[\s.]/g, '');
  if (a.email) candidate.email = a.email;
  const parsed = Applicant.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const k = String(issue.path[0] ?? 'fullName') as (typeof APPLICANT_KEYS)[number];
      const anchor = applicantAnchor(k);
      if (errors.some((e) => e.anchor === anchor)) continue;
      const label = k in APPLICANT_LABELS ? t(locale, APPLICANT_LABELS[k]) : k;
      errors.push({ anchor, message: applicantIssueText(locale, k, issue, label) ?? t(locale, 'app.err.invalid', { label, message: issue.message }) });
    }
  }
  return errors.length || !parsed.success ? { value: null, errors } : { value: parsed.data, errors };
}

/**
 * What an error says, in any language: its reason and values when it has them, else its message as
 * the page shows it (a `SafeHtml` message is an object: two equal ones are told apart by their markup).
 */
const sameError = (a: PageError, b: PageError) =>
  a.anchor === b.anchor &&
  (a.reason || b.reason
    ? a.reason === b.reason && JSON.stringify(a.params ?? {}) === JSON.stringify(b.params ?? {})
    : html`${a.message}`.value === html`${b.message}`.value);
/** The errors without repeats (the same error at the same field said once), in their order. */
export const dedupe = (errors: PageError[]) => errors.filter((e, i) => errors.findIndex((x) => sameError(x, e)) === i);

/** A service's field error at the input it concerns, with its reason and values for the page to word it (errorText). */
export const pageErrorOf = (e: FieldError, anchor = anchorOfPath(e.path)): PageError => ({ anchor, message: e.message, reason: e.reason, params: e.params });

export const fromAppError = (err: AppError): PageError[] => (err.errors ?? []).map((e) => pageErrorOf(e));

/** A dossier with the procedure version it was made under. */
export interface LoadedDossier {
  dossier: DossierView;
  proc: ProcedureRecord;
  /** The names of the unit codes its answers give (for showing them). */
  unitNames: UnitNames;
}

export interface DraftRenderOptions {
  errors?: PageError[];
  values?: FormInputValues;
  applicant?: ApplicantInput;
  notice?: string;
  saved?: boolean;
}

/**
 * The pieces the citizen's application and the desk's counter intake share: loading a dossier,
 * rendering the generated form, saving it with the same validation, uploads and file views.
 * Domain rules stay in the dossier services; these only translate forms to calls and back.
 */
export function draftTools(h: WebHelpers) {
  const { database, send, files } = h;

  const page = (req: FastifyRequest, reply: FastifyReply, status: number, titleKey: MessageKey, message: string) => {
    const p = h.pageCtx(req, reply);
    return send(reply, status, errorPage(p, t(p.locale, titleKey), message));
  };
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply) => page(req, reply, 404, 'error.notFoundTitle', t(h.locale(req), 'error.notFound'));
  const csrfPage = (req: FastifyRequest, reply: FastifyReply) => page(req, reply, 403, 'error.csrfTitle', t(h.locale(req), 'error.csrf'));
  const maxBytes = () => getSetting(database.db, 'upload_max_bytes');
  const sizeWords = (bytes: number) => (bytes >= 1048576 ? `${Math.floor(bytes / 1048576)} MB` : `${Math.floor(bytes / 1024)} KB`);

  const dossierId = (req: FastifyRequest): string | null => {
    const id = str(record(req.params).id, 80);
    return UUID_RE.test(id) ? id.toLowerCase() : null;
  };
  const versionOf = (body: Record<string, unknown>): number | undefined => {
    const v = Number.parseInt(str(body.version, 10), 10);
    return Number.isInteger(v) && v >= 0 ? v : undefined;
  };
  /**
   * The version a form posted: absent (undefined), a whole number, or 'bad' for anything else
   * (`abc`, `-1`, `1.5`), which must be refused rather than read as "no version" (no stale check).
   */
  const postedVersion = (body: Record<string, unknown>): number | 'bad' | undefined => {
    const raw = str(body.version, 20);
    if (raw === '') return undefined;
    return /^\d{1,9}$/.test(raw) ? Number(raw) : 'bad';
  };

  const load = async (req: FastifyRequest, id: string): Promise<LoadedDossier> => {
    const ctx = ctxOf(req, database);
    const dossier = await getDossierView(ctx, id);
    const proc = await getProcedure(ctx, dossier.procedureCode, dossier.procedureVersion);
    return { dossier, proc, unitNames: await unitNamesByCode(database.db, unitCodesOf(proc, dossier.form)) };
  };

  const storedValues = (proc: ProcedureRecord, form: Record<string, unknown>): FormInputValues => {
    const out: FormInputValues = {};
    for (const f of proc.definition.form) {
      const v = form[f.key];
      if (typeof v === 'boolean') out[f.key] = v;
      else if (typeof v === 'string' || typeof v === 'number') out[f.key] = String(v);
    }
    return out;
  };

  const renderDraft = async (req: FastifyRequest, reply: FastifyReply, status: number, d: LoadedDossier, mode: FlowMode, opts: DraftRenderOptions = {}) => {
    const stored = applicantFromStored(d.dossier.applicant);
    return send(
      reply,
      status,
      draftPage(h.pageCtx(req, reply), {
        dossier: d.dossier,
        proc: d.proc,
        kind: stored.kind,
        applicant: opts.applicant ?? stored.input,
        values: opts.values ?? storedValues(d.proc, d.dossier.form),
        errors: dedupe(opts.errors ?? []),
        notice: opts.notice,
        saved: opts.saved ?? false,
        ...(await maxBytes().then((b) => ({ maxSize: sizeWords(b), maxBytes: b }))),
        mode,
      }),
    );
  };

  /**
   * Saves the posted form (answers and applicant) of a draft. With `full`, everything needed to
   * submit must also be there. Returns false when saved (and complete when `full`); true when a
   * page was sent instead (422 with the errors, 412 when stale, a redirect when no longer a draft).
   * A boolean, not the reply: a reply is a thenable, and awaiting it gives undefined, so a caller
   * would redirect after the page was sent ("Reply was already sent").
   */
  const saveForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    d: LoadedDossier,
    body: Record<string, unknown>,
    mode: FlowMode,
    full: boolean,
  ): Promise<boolean> => {
    const locale = h.locale(req);
    const id = d.dossier.id;
    const kind = applicantFromStored(d.dossier.applicant).kind;
    const applicantIn = applicantFromBody(body);
    const values: FormInputValues = {};
    const formPatch: Record<string, string | boolean | null> = {};
    for (const f of d.proc.definition.form) {
      if (f.type === 'checkbox') {
        values[f.key] = formPatch[f.key] = str(body[fieldAnchor(f.key)], 10) === 'true';
      } else {
        const v = str(body[fieldAnchor(f.key)], 5000);
        values[f.key] = v;
        formPatch[f.key] = v === '' ? null : v;
      }
    }
    const rerender = async (status: number, errors: PageError[], notice?: string) => {
      await renderDraft(req, reply, status, d, mode, { errors, values, applicant: applicantIn, ...(notice ? { notice } : {}) });
      return true;
    };
    const fullErrors = (x: LoadedDossier) => [
      ...validateForm(x.proc.definition.form, formPatch, { partial: false, fees: x.proc.definition.fees }).errors.map((e) => pageErrorOf(e)),
      ...x.proc.definition.components
        .filter((c) => c.required && !x.dossier.files.some((f) => f.component === c.code))
        .map((c) => ({
          anchor: componentAnchor(c.code),
          message: t(locale, 'app.err.componentMissing', { name: c.name }),
          reason: 'component_missing',
          params: { name: c.name },
        })),
    ];
    const checkedApplicant = checkApplicant(locale, kind, applicantIn);
    if (!checkedApplicant.value) {
      const partial = validateForm(d.proc.definition.form, formPatch, { partial: true, fees: d.proc.definition.fees }).errors.map((e) => pageErrorOf(e));
      return rerender(422, [...checkedApplicant.errors, ...partial, ...(full ? fullErrors(d) : [])]);
    }
    // The form always sends the version it was read at; one that cannot be read is refused, not skipped.
    const version = postedVersion(body);
    if (version === 'bad') return rerender(422, [], t(locale, 'staff.ct.errVersion'));
    try {
      await updateDossier(ctxOf(req, database), id, { form: formPatch, applicant: checkedApplicant.value }, version);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'precondition_failed') return rerender(412, [], t(locale, 'app.stale'));
      if (err instanceof AppError && err.kind === 'invalid') return rerender(422, [...fromAppError(err), ...(full ? fullErrors(d) : [])]);
      if (err instanceof AppError && err.kind === 'conflict') {
        await reply.redirect(flowBase(mode, id), 303);
        return true;
      }
      throw err;
    }
    if (!full) return false;
    const errors = fullErrors(d);
    if (errors.length) {
      const fresh = await load(req, id);
      await renderDraft(req, reply, 422, fresh, mode, { errors, values, applicant: applicantIn });
      return true;
    }
    return false;
  };

  /**
   * The one file of an upload form, with its CSRF token, component and one-time token `nonce`
   * (limits from the settings). `tooMany`: the request carried more than one file.
   */
  const readUpload = async (req: FastifyRequest) => {
    const limit = await maxBytes();
    let csrf = '';
    let component = '';
    let nonce = '';
    let file: { fileName: string; data: Buffer } | null = null;
    let tooLarge = false;
    let tooMany = false;
    if (req.isMultipart()) {
      try {
        for await (const part of req.parts({ limits: { fileSize: limit, files: 1, fields: 5, fieldSize: 1000 } })) {
          if (part.type === 'file') {
            const data = await part.toBuffer();
            if (part.file.truncated) tooLarge = true;
            else if (part.filename) file = { fileName: part.filename, data };
          } else if (part.fieldname === 'csrf') csrf = String(part.value);
          else if (part.fieldname === 'component') component = String(part.value).slice(0, 64);
          else if (part.fieldname === 'nonce') nonce = String(part.value);
        }
      } catch (err) {
        const e = err as { statusCode?: number; code?: string };
        // A second file is not "too large": the form sends one (only a hand-made request sends two).
        if (e.code === 'FST_FILES_LIMIT') tooMany = true;
        else if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE') tooLarge = true;
        else throw err;
      }
    }
    return { csrf, component, nonce: UPLOAD_NONCE_RE.test(nonce) ? nonce : '', file, tooLarge, tooMany, limit };
  };

  /**
   * Claims the one-time token of an upload form for this file (the form's token, the dossier, the
   * component and the file's content and name): true when this request is the first to post it.
   * A second post of the same form (a double click, a retry after a lost answer, two requests at
   * once) finds it claimed. `release` gives the token back when the upload did not happen.
   */
  const uploadToken = (req: FastifyRequest, d: LoadedDossier, up: Awaited<ReturnType<typeof readUpload>>, component: string) => {
    const actor = req.actor;
    if (!up.nonce || !up.file || !actor) return null;
    const contentHash = createHash('sha256').update(up.file.data).digest('hex');
    const key = sha(`web-upload:${up.csrf}:${up.nonce}:${d.dossier.id}:${component}:${contentHash}:${up.file.fileName}`);
    return {
      claim: async () => {
        const rows = await queryRows<{ key: string }>(
          database.db,
          sql`INSERT INTO idempotency_keys (user_id, key, scope, request_hash, resource_id, created_at)
              VALUES (${actor.userId}, ${key}, 'web.upload', ${contentHash}, ${d.dossier.id}, ${new Date().toISOString()})
              ON CONFLICT DO NOTHING RETURNING key`,
        );
        return rows.length === 1;
      },
      release: async () => {
        await database.db.execute(sql`DELETE FROM idempotency_keys WHERE user_id = ${actor.userId} AND scope = 'web.upload' AND key = ${key}`);
      },
    };
  };

  /**
   * Attaches an uploaded file to a component. `fail` renders the page again with the error at the
   * component. Returns false when attached (or when this form was already posted: the first post
   * attached it), true when a page was sent instead (a boolean, not the reply: see saveForm).
   */
  const attachUpload = async (
    req: FastifyRequest,
    reply: FastifyReply,
    d: LoadedDossier,
    up: Awaited<ReturnType<typeof readUpload>>,
    fail: (status: number, errors: PageError[]) => Promise<FastifyReply>,
    back: string,
  ): Promise<boolean> => {
    const locale = h.locale(req);
    const comp = d.proc.definition.components.find((c) => c.code === up.component);
    const anchor = comp ? componentAnchor(comp.code) : 'main';
    const err = async (status: number, key: MessageKey) => {
      await fail(status, [{ anchor, message: t(locale, key, { size: sizeWords(up.limit) }) }]);
      return true;
    };
    if (up.tooMany) return err(422, 'staff.ct.errOneFile');
    if (up.tooLarge) return err(413, 'app.err.fileSize');
    if (!comp) {
      await notFoundPage(req, reply);
      return true;
    }
    if (!up.file) return err(422, 'app.err.fileMissing');
    const token = uploadToken(req, d, up, comp.code);
    if (token && !(await token.claim())) return false;
    let attached = false;
    try {
      await attachFile(ctxOf(req, database), files, d.dossier.id, { component: comp.code, fileName: up.file.fileName, data: up.file.data });
      attached = true;
    } catch (e) {
      if (e instanceof AppError) {
        if (e.code === 'FILE_TYPE_NOT_ALLOWED') return err(415, 'app.err.fileType');
        if (e.code === 'FILE_TOO_LARGE') return err(413, 'app.err.fileSize');
        if (e.code === 'FILE_EMPTY') return err(422, 'app.err.fileEmpty');
        if (e.kind === 'conflict') {
          await reply.redirect(back, 303);
          return true;
        }
      }
      throw e;
    } finally {
      // Not attached: the same form may be sent again (after fixing the file, say).
      if (!attached) await token?.release();
    }
    return false;
  };

  const removeUpload = async (req: FastifyRequest, id: string, fileId: string) => {
    try {
      await removeFile(ctxOf(req, database), id, fileId.toLowerCase());
    } catch (err) {
      if (!(err instanceof AppError && err.kind === 'conflict')) throw err;
    }
  };

  /** Serves an attached file inline, after the same access checks as the API (and its read audit). */
  const serveFile = async (req: FastifyRequest, reply: FastifyReply, id: string, fileId: string) => {
    const f = await getFile(ctxOf(req, database), id, fileId);
    return sendInlineFile(reply, f, await files.read(f.storageKey));
  };

  return {
    page,
    notFoundPage,
    csrfPage,
    maxBytes,
    sizeWords,
    dossierId,
    versionOf,
    postedVersion,
    load,
    renderDraft,
    saveForm,
    readUpload,
    attachUpload,
    removeUpload,
    serveFile,
  };
}

/**
 * The citizen application flow, server-rendered and working without JavaScript:
 * `/ho-so/moi` (start), `/ho-so/:id` (the draft form, uploads; once submitted: the status,
 * timeline, supplement, payment link, result, rating, withdrawal), `/ho-so/:id/kiem-tra`
 * (check your answers, submit), `/ho-so` (my applications), `/ho-so/:id/tep/:fileId` (a file, inline).
 */
export function registerApplicationRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;
  const tools = draftTools(h);
  const { page, notFoundPage, csrfPage, dossierId, versionOf, load, renderDraft } = tools;

  /** Where a member of staff works on a dossier (staff accounts are never applicants). */
  const staffPlace = (d: LoadedDossier) =>
    d.dossier.status === 'draft' ? `/can-bo/tiep-nhan/${d.dossier.id}` : `/can-bo/ho-so/${encodeURIComponent(d.dossier.code ?? d.dossier.id)}`;
  /**
   * The applicant's forms (save, upload, remove, submit, supplement, withdraw, rate) are for the
   * applicant only: a member of staff posting one is sent to the staff page of the dossier, as
   * `GET /ho-so/:id` does, and nothing is done. True when that redirect was sent.
   */
  const staffElsewhere = async (req: FastifyRequest, reply: FastifyReply, id: string): Promise<boolean> => {
    if (req.actor?.kind !== 'staff') return false;
    await reply.redirect(staffPlace(await load(req, id)), 303);
    return true;
  };

  /** The dossier page after submission, with what the applicant may do now. */
  const renderDossier = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    d: LoadedDossier,
    opts: { errors?: PageError[]; notice?: string; done?: string; rating?: { value: string; comment: string }; supplementNote?: string } = {},
  ) => {
    const ctx = ctxOf(req, database);
    const finished = d.dossier.status === 'done' || d.dossier.status === 'returned';
    const [history, results] = await Promise.all([getHistory(ctx, d.dossier.id), finished ? listDossierResults(ctx, '', d.dossier.id) : Promise.resolve([])]);
    return send(
      reply,
      status,
      dossierPage(h.pageCtx(req, reply), {
        dossier: d.dossier,
        proc: d.proc,
        history,
        errors: dedupe(opts.errors ?? []),
        notice: opts.notice,
        done: opts.done,
        rating: opts.rating,
        supplementNote: opts.supplementNote,
        forms: availableForms({ code: d.dossier.code, receivedAt: d.dossier.receivedAt }, history),
        results,
        ...(await tools.maxBytes().then((b) => ({ maxSize: tools.sizeWords(b), maxBytes: b }))),
      }),
    );
  };

  // ------------------------------------------------------------------------- start

  const startChecks = async (req: FastifyRequest, reply: FastifyReply, code: string): Promise<ProcedureRecord | null> => {
    const locale = h.locale(req);
    if (!ProcedureCode.safeParse(code).success) {
      await page(req, reply, 404, 'error.notFoundTitle', t(locale, 'error.procedureNotFound', { code }));
      return null;
    }
    let proc: ProcedureRecord;
    try {
      proc = await getProcedure(ctxOf(req, database), code);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') {
        await page(req, reply, 404, 'error.notFoundTitle', t(locale, 'error.procedureNotFound', { code }));
        return null;
      }
      throw err;
    }
    const actor = req.actor;
    // The dossier service's rule, which the procedure page also uses to offer the start button.
    const refusal = actor ? selfFilingRefusal(actor.kind, proc.definition) : 'ROLE_REQUIRED';
    if (refusal === 'ROLE_REQUIRED' || !isApplicantActor(actor)) {
      await page(req, reply, 403, 'error.title', t(locale, 'app.err.notApplicant'));
      return null;
    }
    if (refusal === 'DOSSIER_CHANNEL_NOT_ALLOWED') {
      await page(req, reply, 422, 'error.title', t(locale, 'app.err.notOnline'));
      return null;
    }
    if (refusal === 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED') {
      await page(req, reply, 422, 'error.title', t(locale, 'app.err.notAllowedType', { type: t(locale, `applicant.one.${actor.kind}`) }));
      return null;
    }
    return proc;
  };

  /**
   * The applicant fields filled from the signed-in account (the person applies for themselves and
   * may still change them): name, ID number and phone (opened from their sealed columns), email,
   * and an organisation's tax code.
   */
  const accountApplicant = async (req: FastifyRequest, actor: Actor & { kind: ApplicantKind }): Promise<ApplicantInput> => {
    const [row] = await database.db
      .select({ id: users.id, idNumberEnc: users.idNumberEnc, phoneEnc: users.phoneEnc, email: users.email, taxCode: users.taxCode })
      .from(users)
      .where(eq(users.id, actor.userId));
    const opened = row ? openUserFields(req.server.keyring, row) : { idNumber: null, phone: null };
    return {
      // An organisation account's display name is the company's, not its representative's.
      fullName: actor.kind === 'citizen' ? actor.displayName : '',
      idNumber: opened.idNumber ?? '',
      organisationName: '',
      taxCode: actor.kind === 'organisation' ? (row?.taxCode ?? '') : '',
      phone: opened.phone ?? '',
      email: row?.email ?? '',
    };
  };

  app.get('/ho-so/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const code = str(record(req.query)['thu-tuc'], 40);
    const proc = await startChecks(req, reply, code);
    if (!proc) return reply;
    const actor = req.actor as Actor & { kind: ApplicantKind };
    const applicant = await accountApplicant(req, actor);
    return send(reply, 200, startPage(h.pageCtx(req, reply), { proc, kind: actor.kind, applicant, nonce: randomBytes(12).toString('hex'), errors: [] }));
  });

  app.post('/ho-so/moi', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const code = str(body['thu-tuc'], 40);
    if (!req.actor) return redirectToSignIn(req, reply, `/ho-so/moi?thu-tuc=${encodeURIComponent(code)}`);
    const proc = await startChecks(req, reply, code);
    if (!proc) return reply;
    const actor = req.actor as Actor & { kind: ApplicantKind };
    const nonce = /^[0-9a-f]{24}$/.test(str(body.nonce, 24)) ? str(body.nonce, 24) : randomBytes(12).toString('hex');
    const input = applicantFromBody(body);
    const checked = checkApplicant(h.locale(req), actor.kind, input);
    if (!checked.value) {
      return send(reply, 422, startPage(h.pageCtx(req, reply), { proc, kind: actor.kind, applicant: input, nonce, errors: checked.errors }));
    }
    const createBody = { procedureCode: proc.code, applicant: checked.value, form: {}, channel: 'online' as const };
    // A double click on "Bắt đầu" sends the same nonce: the same draft comes back.
    const key = sha(`web-create:${str(body.csrf, 200)}:${nonce}:${JSON.stringify(createBody)}`);
    try {
      const { id } = await createDossier(ctxOf(req, database), createBody, key);
      return reply.redirect(`/ho-so/${id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'invalid') {
        const errors = servicePageErrors(h.locale(req), err, anchorOfPath, 'main');
        return send(reply, 422, startPage(h.pageCtx(req, reply), { proc, kind: actor.kind, applicant: input, nonce, errors }));
      }
      throw err;
    }
  });

  // ------------------------------------------------------------------------- my applications

  app.get('/ho-so', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const pageIn = Number.parseInt(str(record(req.query).trang, 6), 10);
    const pageNo = Number.isInteger(pageIn) && pageIn >= 1 && pageIn <= 10_000 ? pageIn : 1;
    const r = await listDossiers(ctxOf(req, database), { page: pageNo, pageSize: PAGE_SIZE });
    return send(reply, 200, minePage(h.pageCtx(req, reply), { items: r.items, total: r.total }));
  });

  // ------------------------------------------------------------------------- the draft / the dossier

  app.get('/ho-so/:id', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const id = dossierId(req);
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    // Officers work on dossiers in their own pages (staff accounts are never applicants).
    if (req.actor.kind === 'staff') return reply.redirect(staffPlace(d), 303);
    const q = record(req.query);
    if (d.dossier.status !== 'draft') return renderDossier(req, reply, 200, d, str(q['da-gui'], 2) === '1' ? { done: t(h.locale(req), 'staff.ct.sent') } : {});
    return renderDraft(req, reply, 200, d, 'citizen', { saved: str(q['da-luu'], 2) === '1' });
  });

  app.post('/ho-so/:id', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const id = dossierId(req);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    const d = await load(req, id);
    if (d.dossier.status !== 'draft') return reply.redirect(`/ho-so/${id}`, 303);
    const action = str(body.action, 20) === 'save' ? 'save' : 'continue';
    if (await tools.saveForm(req, reply, d, body, 'citizen', action === 'continue')) return reply;
    return reply.redirect(action === 'save' ? `/ho-so/${id}?da-luu=1` : `/ho-so/${id}/kiem-tra`, 303);
  });

  // ------------------------------------------------------------------------- files

  app.post('/ho-so/:id/tep', { schema: { hide: true } }, async (req, reply) => {
    const id = dossierId(req);
    const up = await tools.readUpload(req);
    if (!h.csrfValid(req, { csrf: up.csrf })) return csrfPage(req, reply);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    const d = await load(req, id);
    // A draft, or a dossier the agency asked to supplement: the only times files may change.
    const inSupplement = d.dossier.status === 'supplement_requested' && d.dossier.allowedActions.includes('supplement');
    if (d.dossier.status !== 'draft' && !inSupplement) return reply.redirect(`/ho-so/${id}`, 303);
    const fail = (status: number, errors: PageError[]) =>
      inSupplement ? renderDossier(req, reply, status, d, { errors }) : renderDraft(req, reply, status, d, 'citizen', { errors });
    if (await tools.attachUpload(req, reply, d, up, fail, `/ho-so/${id}`)) return reply;
    return reply.redirect(`/ho-so/${id}#${componentAnchor(up.component)}`, 303);
  });

  app.post('/ho-so/:id/tep/:fileId/xoa', { schema: { hide: true } }, async (req, reply) => {
    if (!h.csrfValid(req, record(req.body))) return csrfPage(req, reply);
    const id = dossierId(req);
    const fileId = str(record(req.params).fileId, 80);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id || !UUID_RE.test(fileId)) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    await tools.removeUpload(req, id, fileId);
    return reply.redirect(`/ho-so/${id}`, 303);
  });

  app.get('/ho-so/:id/tep/:fileId', { schema: { hide: true } }, async (req, reply) => {
    const id = dossierId(req);
    const fileId = str(record(req.params).fileId, 80);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id || !UUID_RE.test(fileId)) return notFoundPage(req, reply);
    return tools.serveFile(req, reply, id, fileId.toLowerCase());
  });

  // ------------------------------------------------------------------------- check and submit

  app.get('/ho-so/:id/kiem-tra', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const id = dossierId(req);
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    if (d.dossier.status !== 'draft') return reply.redirect(`/ho-so/${id}`, 303);
    const a = applicantFromStored(d.dossier.applicant);
    return send(reply, 200, checkPage(h.pageCtx(req, reply), { ...d, kind: a.kind, applicant: a.input }));
  });

  app.post('/ho-so/:id/nop', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const id = dossierId(req);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}/kiem-tra` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    // Bound to the session (the CSRF token) and the dossier: a double click cannot submit twice.
    const idempotencyKey = sha(`web-submit:${str(body.csrf, 200)}:${id}`);
    try {
      await submitDossier(ctxOf(req, database), id, { idempotencyKey, ifMatch: versionOf(body) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'DOSSIER_INCOMPLETE') return renderDraft(req, reply, 422, await load(req, id), 'citizen', { errors: fromAppError(err) });
      if (err.code === 'DOSSIER_PROCEDURE_UPDATED') {
        const moved = err.details?.moved === true;
        return renderDraft(req, reply, 409, await load(req, id), 'citizen', {
          errors: fromAppError(err),
          notice: t(h.locale(req), moved ? 'app.procedureUpdated' : 'app.procedureMoved'),
        });
      }
      if (err.kind === 'precondition_failed') {
        const d = await load(req, id);
        if (d.dossier.status !== 'draft') return reply.redirect(`/ho-so/${id}`, 303);
        const a = applicantFromStored(d.dossier.applicant);
        return send(reply, 412, checkPage(h.pageCtx(req, reply), { ...d, kind: a.kind, applicant: a.input, notice: t(h.locale(req), 'app.stale') }));
      }
      if (err.kind === 'conflict') return reply.redirect(`/ho-so/${id}`, 303);
      throw err;
    }
    return reply.redirect(`/ho-so/${id}`, 303);
  });

  // ------------------------------------------------------------------------- after submission

  /** Takes the applicant's action; a stale page or a state that moved on re-renders the fresh page with a message. */
  const applicantAction = async (req: FastifyRequest, reply: FastifyReply, id: string, body: ActionBody, version: number | undefined) => {
    const locale = h.locale(req);
    try {
      await performAction(ctxOf(req, database), id, body, version);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.kind === 'precondition_failed') return renderDossier(req, reply, 412, await load(req, id), { notice: t(locale, 'app.stale') });
      if (err.kind === 'conflict') return renderDossier(req, reply, 409, await load(req, id), { notice: dossierConflictText(locale, err) });
      if (err.kind === 'forbidden') return renderDossier(req, reply, 403, await load(req, id), { notice: t(locale, 'staff.dv.forbidden') });
      if (err.kind === 'invalid') {
        // Incomplete, or nothing supplemented yet: said at the documents, the typed note kept.
        const d = await load(req, id);
        const first = d.proc.definition.components[0]?.code;
        const errors = servicePageErrors(locale, err, (path) => (path === 'files' && first ? componentAnchor(first) : anchorOfPath(path)), 'main');
        return renderDossier(req, reply, 422, d, {
          errors,
          supplementNote: body.note ?? '',
        });
      }
      throw err;
    }
    return reply.redirect(`/ho-so/${id}?da-gui=1`, 303);
  };

  app.post('/ho-so/:id/bo-sung', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const id = dossierId(req);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    const note = str(body.note, 2000);
    return applicantAction(req, reply, id, { action: 'supplement', ...(note ? { note } : {}) }, versionOf(body));
  });

  app.post('/ho-so/:id/rut', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const id = dossierId(req);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    if (str(body.confirm, 5) !== 'yes') {
      return renderDossier(req, reply, 422, await load(req, id), { errors: [{ anchor: 'w-confirm', message: t(h.locale(req), 'staff.ct.errConfirm') }] });
    }
    const reason = str(body.reason, 2000);
    return applicantAction(req, reply, id, { action: 'withdraw', ...(reason ? { reason } : {}) }, versionOf(body));
  });

  app.post('/ho-so/:id/danh-gia', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const id = dossierId(req);
    if (!req.actor) return redirectToSignIn(req, reply, id ? `/ho-so/${id}` : '/ho-so');
    if (!id) return notFoundPage(req, reply);
    if (await staffElsewhere(req, reply, id)) return reply;
    const comment = str(body.comment, 2000);
    const parsed = RatingBody.safeParse({ rating: str(body.rating, 20), ...(comment ? { comment } : {}) });
    if (!parsed.success) {
      return renderDossier(req, reply, 422, await load(req, id), {
        errors: [{ anchor: 'r-very_satisfied', message: t(h.locale(req), 'staff.ct.errRating') }],
        rating: { value: '', comment },
      });
    }
    try {
      await rateDossier(ctxOf(req, database), id, parsed.data);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Rated already, not returned yet, or not the applicant: the fresh page, and why the rating was not taken.
      if (err.kind === 'conflict' || err.kind === 'forbidden') {
        const locale = h.locale(req);
        const d = await load(req, id);
        const given = d.dossier.rating?.rating;
        const notice =
          err.kind === 'forbidden'
            ? t(locale, 'staff.ct.applicantOnly')
            : given
              ? t(locale, 'staff.ct.alreadyRated', { rating: t(locale, `staff.ct.rating.${given}` as MessageKey) })
              : t(locale, 'staff.ct.rateNotYet');
        return renderDossier(req, reply, err.kind === 'forbidden' ? 403 : 409, d, { notice });
      }
      throw err;
    }
    return reply.redirect(`/ho-so/${id}?da-gui=1`, 303);
  });
}
