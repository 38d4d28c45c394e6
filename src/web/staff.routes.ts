import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { closeOfOffice, loadClock, workingDaysBetween, type Clock } from '../modules/calendar/index.ts';
import { DOSSIER_ACTIONS, DOSSIER_STATUSES, type DossierAction, type DossierStatus } from '../modules/dossiers/dossier-workflow.ts';
import type { ActionBody } from '../modules/dossiers/dossiers.schemas.ts';
import { createDossier, firstExtensionDay, performAction, submitDossier } from '../modules/dossiers/dossiers.service.ts';
import { getDossierView, getHistory } from '../modules/dossiers/dossiers.views.ts';
import { assignableSpecialists, dueSoonLimit, procedureChoices, staffWorklist, userNames, type WorklistTab } from '../modules/dossiers/worklist.ts';
import { availableForms, baseUrlOf, dossierResults, GeneratedResultBody, sealResult, keyRingFor } from '../modules/documents/index.ts';
import { findProcedure, listCounterIntakeRows, type CounterIntakeRow } from '../modules/procedures/procedures.repo.ts';
import { rankProcedures } from '../modules/procedures/procedures.service.ts';
import { deliveriesFor } from '../modules/notifications/index.ts';
import { listDossierPayments, listDossierTransfers } from '../modules/payments/payments.service.ts';
import type { Actor } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { eachPart } from '../platform/multipart.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import { isRealDay } from '../platform/schemas.ts';
import { getSetting } from '../platform/settings.ts';
import { isMobilePhone, viCollator } from '../platform/text.ts';
import { toIso } from '../platform/time.ts';
import {
  applicantFromBody,
  checkApplicant,
  dedupe,
  draftTools,
  fromAppError,
  record,
  sha,
  str,
  type LoadedDossier,
  type WebHelpers,
} from './application.routes.ts';
import { anchorOfPath, componentAnchor, messageHtml, statusWords, vi, type ApplicantInput, type ApplicantKind, type PageError } from './application-pages.ts';
import { html } from './html.ts';
import { t, type MessageKey } from './i18n.ts';
import { dossierConflictText, servicePageErrors } from './service-errors.ts';
import { redirectToSignIn } from './sign-in.ts';
import {
  actionField,
  actionNeeds,
  counterIntake,
  deliveriesSection,
  deskOf,
  intakeRefusalWords,
  documentsSection,
  dueState,
  intakeDonePage,
  intakeStartPage,
  RESULT_FIELDS,
  resultsSection,
  SOON_DAYS_MAX,
  SOON_DAYS_MIN,
  staffDossierPage,
  staffHref,
  tabOfSlug,
  worklistPage,
  type ActionValues,
  type ResultValues,
  type WorklistFilters,
} from './staff-pages.ts';

const PAGE_SIZE = 25;
const DOSSIER_KEY = /^[0-9A-Za-z._-]{5,80}$/;
const STAFF_ROLES = ['reception', 'specialist', 'leader'];

const isStaffActor = (a: Actor | null | undefined): a is Actor => !!a && a.roles.some((r) => STAFF_ROLES.includes(r.role));
const isReception = (a: Actor | null | undefined): a is Actor => !!a && a.roles.some((r) => r.role === 'reception');

/** Working days from `now` to `dueAt` on the legal calendar (negative when late). */
const daysLeft = (clock: Clock, now: Date, dueAt: Date | null) => (dueAt ? workingDaysBetween(now, dueAt, clock.calendar, clock.officeHours) : null);

/**
 * The officers' portal: `/can-bo/ho-so` (worklist), `/can-bo/ho-so/:code` (the dossier with exactly
 * the actions the workflow guard allows), `/can-bo/ho-so/:code/thao-tac` (take one, with the
 * dossier version: a stale page never acts twice), and counter intake under `/can-bo/tiep-nhan`.
 * Every rule stays in the dossier services; these routes translate forms to calls and back.
 */
export function registerStaffRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;
  const tools = draftTools(h);
  const { page, notFoundPage, csrfPage, versionOf, load } = tools;

  /** Signed in as an officer? Otherwise the sign-in page, or a 403 page for other accounts. */
  const staffOnly = async (req: FastifyRequest, reply: FastifyReply, need: 'staff' | 'reception' = 'staff'): Promise<Actor | null> => {
    if (!req.actor) {
      await redirectToSignIn(req, reply);
      return null;
    }
    const ok = need === 'reception' ? isReception(req.actor) : isStaffActor(req.actor);
    if (!ok) {
      await page(req, reply, 403, 'error.title', t(h.locale(req), need === 'reception' ? 'staff.err.notReception' : 'staff.err.notStaff'));
      return null;
    }
    return req.actor;
  };

  // ------------------------------------------------------------------------- worklist

  app.get('/can-bo/ho-so', { schema: { hide: true } }, async (req, reply) => {
    const actor = await staffOnly(req, reply);
    if (!actor) return reply;
    const q = record(req.query);
    const locale = h.locale(req);
    const tab: WorklistTab = tabOfSlug(str(q.nhom, 20)) ?? (isReception(actor) ? 'receive' : 'mine');
    const statusIn = str(q['trang-thai'], 30);
    const status = (DOSSIER_STATUSES as readonly string[]).includes(statusIn) ? (statusIn as DossierStatus) : undefined;
    const procedure = str(q['thu-tuc'], 40);
    const daysIn = str(q['han-trong'], 6);
    const errors: PageError[] = [];
    let dueWithin: number | undefined;
    if (daysIn) {
      const n = Number(daysIn);
      if (/^\d+$/.test(daysIn) && n >= SOON_DAYS_MIN && n <= SOON_DAYS_MAX) dueWithin = n;
      else errors.push({ anchor: 'wl-days', message: t(locale, 'enh.wl.errDays') });
    }
    const pageIn = Number.parseInt(str(q.trang, 6), 10);
    const pageNo = Number.isInteger(pageIn) && pageIn >= 1 && pageIn <= 10_000 ? pageIn : 1;
    const filters: WorklistFilters = {
      q: str(q.q, 200),
      status: status ?? '',
      procedure,
      overdue: str(q['qua-han'], 2) === '1',
      dueWithin: errors.length ? daysIn : (dueWithin?.toString() ?? ''),
    };
    const ctx = ctxOf(req, database);
    const [clock, defaultSoonDays] = await Promise.all([loadClock(database.db), getSetting(database.db, 'worklist_soon_days')]);
    // One N for the "due soon" tab, its count, the colours and (when the officer set it) the filter.
    const soonDays = dueWithin ?? defaultSoonDays;
    const soon = dueSoonLimit(clock, ctx.now, soonDays);
    const query = {
      tab,
      status,
      procedure: procedure || undefined,
      overdue: filters.overdue || undefined,
      dueBefore: dueWithin ? soon : undefined,
      q: filters.q || undefined,
      pageSize: PAGE_SIZE,
    };
    const [first, procedures] = await Promise.all([staffWorklist(ctx, { ...query, page: pageNo }, soon), procedureChoices(database.db, actor.agencyScope)]);
    let result = first;
    let shown = pageNo;
    // A page past the end (the list shrank since the link was made) shows the last page.
    if (first.total === null) {
      const all = await staffWorklist(ctx, { ...query, page: 1, pageSize: 1 }, soon);
      shown = Math.max(1, Math.ceil((all.total ?? 0) / PAGE_SIZE));
      result = await staffWorklist(ctx, { ...query, page: shown }, soon);
    }
    const rows = result.rows.map((r) => ({ ...r, due: dueState({ ...r, isPaused: r.pausedAt !== null }, daysLeft(clock, ctx.now, r.dueAt), soonDays) }));
    return send(
      reply,
      errors.length ? 422 : 200,
      worklistPage(h.pageCtx(req, reply), {
        tab,
        counts: result.counts,
        rows,
        total: result.total ?? 0,
        page: shown,
        pageSize: PAGE_SIZE,
        filters,
        procedures,
        errors,
        soonDays,
        defaultSoonDays,
      }),
    );
  });

  // ------------------------------------------------------------------------- one dossier

  const keyOf = (req: FastifyRequest): string | null => {
    const k = str(record(req.params).code, 80);
    return DOSSIER_KEY.test(k) ? (UUID_RE.test(k) ? k.toLowerCase() : k) : null;
  };

  const renderDossier = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    d: LoadedDossier,
    opts: { errors?: PageError[]; notice?: string; done?: string; values?: ActionValues; result?: ResultValues; sealedId?: string } = {},
  ) => {
    const ctx = ctxOf(req, database);
    const v = d.dossier;
    const needsAssignees = v.allowedActions.includes('assign');
    const [{ items: results, canSeal }, maxBytes] = await Promise.all([dossierResults(ctx, '', v.id), tools.maxBytes()]);
    const [history, clock, assignees, names, deliveries, soonDays, payments, transfers] = await Promise.all([
      getHistory(ctx, v.id),
      loadClock(database.db),
      needsAssignees ? assignableSpecialists(database.db, v.id) : Promise.resolve([]),
      v.assigneeId ? userNames(database.db, [v.assigneeId]) : Promise.resolve(new Map<string, string>()),
      deliveriesFor(database.db, v.id),
      getSetting(database.db, 'worklist_soon_days'),
      // The fee as the citizen's payment page shows it, and the transfers received for it (the payments module's own reads).
      listDossierPayments(ctx, h.config.payments, v.id),
      listDossierTransfers(ctx, v.id),
    ]);
    const p = h.pageCtx(req, reply);
    const sealed = opts.sealedId ? results.find((r) => r.documentId === opts.sealedId) : undefined;
    const resultArea = resultsSection(
      p,
      v,
      {
        canSeal,
        items: results,
        values: opts.result,
        maxSize: tools.sizeWords(maxBytes),
        maxBytes,
        resultName: d.proc.definition.resultDescription,
        done: sealed ? messageHtml(p, 'doc.res.done', { title: vi(p, sealed.title) }) : undefined,
      },
      opts.errors ?? [],
    );
    const extra = html`${resultArea}${documentsSection(p, v.id, availableForms({ code: v.code, receivedAt: v.receivedAt }, history))}${deliveriesSection(p, deliveries)}`;
    const due = dueState(
      // The clock is paused from a supplement request after reception until the desk receives the supplement.
      {
        status: v.status,
        dueAt: v.dueAt ? new Date(v.dueAt) : null,
        isPaused: !!v.receivedAt && (v.status === 'supplement_requested' || v.status === 'submitted'),
        isOverdue: v.isOverdue,
      },
      daysLeft(clock, ctx.now, v.dueAt ? new Date(v.dueAt) : null),
      soonDays,
    );
    return send(
      reply,
      status,
      staffDossierPage(p, {
        dossier: v,
        proc: d.proc,
        unitNames: d.unitNames,
        history,
        due,
        assignees,
        assigneeName: v.assigneeId ? (names.get(v.assigneeId) ?? null) : null,
        errors: opts.errors ?? [],
        notice: opts.notice,
        done: opts.done,
        values: opts.values,
        extra,
        extendMin: v.allowedActions.includes('extend') ? firstExtensionDay(v.dueAt ? new Date(v.dueAt) : null, ctx.now, clock) : undefined,
        payments: { items: payments, transfers },
      }),
    );
  };

  app.get('/can-bo/ho-so/:code', { schema: { hide: true } }, async (req, reply) => {
    if (!(await staffOnly(req, reply))) return reply;
    const key = keyOf(req);
    if (!key) return notFoundPage(req, reply);
    const d = await load(req, key);
    if (d.dossier.status === 'draft') return reply.redirect(`/can-bo/tiep-nhan/${d.dossier.id}`, 303);
    const doneIn = str(record(req.query)['da-lam'], 30);
    const done = (DOSSIER_ACTIONS as readonly string[]).includes(doneIn)
      ? t(h.locale(req), 'staff.dv.done', { action: t(h.locale(req), `staff.act.${doneIn}` as MessageKey) })
      : undefined;
    const sealedIn = str(record(req.query)['ket-qua'], 40);
    return renderDossier(req, reply, 200, d, { ...(done ? { done } : {}), ...(UUID_RE.test(sealedIn) ? { sealedId: sealedIn.toLowerCase() } : {}) });
  });

  // ------------------------------------------------------------------------- result documents

  /**
   * The result form's multipart body: the token, the version, an optional title and the file. A
   * file over the limit is reported as such; any other limit (more files or fields than the form
   * has: not a browser's doing) goes to the error handler, which names it (platform/multipart.ts).
   */
  const readResultUpload = async (req: FastifyRequest, limit: number) => {
    const fields: Record<string, string> = {};
    let file: { fileName: string; data: Buffer } | null = null;
    let tooLarge = false;
    try {
      await eachPart(req, { fileSize: limit, files: 1, fields: 5, fieldSize: 2000 }, async (part) => {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.file.truncated) tooLarge = true;
          else if (part.filename) file = { fileName: part.filename, data };
        } else if (['csrf', 'version', 'title'].includes(part.fieldname)) fields[part.fieldname] = String(part.value);
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') tooLarge = true;
      else throw err;
    }
    return { fields, file, tooLarge };
  };

  /**
   * Seals the dossier's result through the documents service (`sealResult`, as
   * POST /api/v1/dossiers/{code}/result): a multipart form uploads a file, a plain form has the
   * PDF generated from a title and its text. Refusals come back on the dossier page in its
   * language with what was typed; the form's version makes a second click seal nothing.
   */
  app.post('/can-bo/ho-so/:code/ket-qua', { schema: { hide: true } }, async (req, reply) => {
    const upload = req.isMultipart();
    const limit = await tools.maxBytes();
    const up = upload ? await readResultUpload(req, limit) : { fields: record(req.body), file: null, tooLarge: false };
    if (!h.csrfValid(req, { csrf: up.fields.csrf })) return csrfPage(req, reply);
    if (!(await staffOnly(req, reply))) return reply;
    const key = keyOf(req);
    if (!key) return notFoundPage(req, reply);
    const locale = h.locale(req);
    const values: ResultValues = {
      mode: upload ? 'upload' : 'generate',
      title: str(up.fields.title, 2000),
      content: upload ? '' : str(up.fields.content, 20_001),
    };
    const again = async (status: number, o: { errors?: PageError[]; notice?: string }) =>
      renderDossier(req, reply, status, await load(req, key), { ...o, result: values });
    const fileError = (status: number, message: MessageKey) =>
      again(status, { errors: [{ anchor: RESULT_FIELDS.file, message: t(locale, message, { size: tools.sizeWords(limit) }) }] });
    let input: Parameters<typeof sealResult>[5];
    const expectedVersion = versionOf(up.fields);
    if (upload) {
      if (up.tooLarge) return fileError(413, 'app.err.fileSize');
      if (!up.file) return fileError(422, 'app.err.fileMissing');
      // The API cuts a long title; the page says so instead, with the title kept to correct.
      if (values.title.trim().length > 300) return again(422, { errors: [{ anchor: RESULT_FIELDS.fileTitle, message: t(locale, 'doc.res.errFileTitle') }] });
      input = { file: up.file, title: values.title || undefined, expectedVersion };
    } else {
      // The API's own check of a text to generate (title 3–300 characters, some text), worded for the page.
      const parsed = GeneratedResultBody.safeParse({ title: values.title, content: values.content });
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) =>
          i.path[0] === 'title'
            ? { anchor: RESULT_FIELDS.title, message: t(locale, 'doc.res.errTitle') }
            : { anchor: RESULT_FIELDS.content, message: t(locale, i.code === 'too_big' ? 'doc.res.errContentLong' : 'doc.res.errContent') },
        );
        return again(422, { errors: errors.filter((e, i) => errors.findIndex((x) => x.anchor === e.anchor) === i) });
      }
      input = { generated: parsed.data, expectedVersion };
    }
    let sealedId: string;
    try {
      const ring = await keyRingFor(h.config);
      sealedId = (await sealResult(ctxOf(req, database), h.files, ring, baseUrlOf(h.config, req), key, input)).documentId;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'DOCUMENT_RESULT_STATE') {
        const status = String((err.details as { dossierStatus?: unknown } | undefined)?.dossierStatus ?? '');
        return again(409, { notice: t(locale, 'doc.res.errState', { status: statusWords(h.pageCtx(req, reply), status) }) });
      }
      if (err.code === 'DOCUMENT_RESULT_FORBIDDEN') return again(403, { notice: t(locale, 'doc.res.errForbidden') });
      if (err.kind === 'precondition_failed') return again(412, { notice: t(locale, 'doc.res.stale') });
      if (err.code === 'FILE_TYPE_NOT_ALLOWED') return fileError(415, 'app.err.fileType');
      if (err.code === 'FILE_TOO_LARGE') return fileError(413, 'app.err.fileSize');
      if (err.code === 'FILE_EMPTY') return fileError(422, 'app.err.fileEmpty');
      throw err;
    }
    const fresh = await getDossierView(ctxOf(req, database), key);
    return reply.redirect(`${staffHref(fresh)}?ket-qua=${sealedId}#ket-qua`, 303);
  });

  app.post('/can-bo/ho-so/:code/thao-tac', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    if (!(await staffOnly(req, reply))) return reply;
    const key = keyOf(req);
    if (!key) return notFoundPage(req, reply);
    const locale = h.locale(req);
    const actionIn = str(body.action, 30);
    if (!(DOSSIER_ACTIONS as readonly string[]).includes(actionIn) || actionIn === 'submit') return notFoundPage(req, reply);
    const action = actionIn as Exclude<DossierAction, 'submit'>;
    const values: ActionValues = {
      action,
      reason: str(body.reason, 2000),
      note: str(body.note, 2000),
      assigneeId: str(body.assigneeId, 40),
      newDue: str(body.newDue, 10),
    };
    const need = actionNeeds(action);
    const errors: PageError[] = [];
    if (need.reason && !values.reason) errors.push({ anchor: actionField(action, 'reason'), message: t(locale, 'staff.err.reason') });
    if (need.assignee && !UUID_RE.test(values.assigneeId)) errors.push({ anchor: actionField(action, 'assignee'), message: t(locale, 'staff.err.assignee') });
    let newDueAt: string | undefined;
    if (need.newDue) {
      // A new due date is a day; the result is due at the close of that office day (the office_hours setting).
      if (/^\d{4}-\d{2}-\d{2}$/.test(values.newDue) && isRealDay(values.newDue))
        newDueAt = toIso(closeOfOffice(values.newDue, (await loadClock(database.db)).officeHours));
      else errors.push({ anchor: actionField(action, 'newDue'), message: t(locale, 'staff.err.newDue') });
    }
    if (errors.length) return renderDossier(req, reply, 422, await load(req, key), { errors, values });
    const input: ActionBody = {
      action,
      ...(values.note && !need.reason ? { note: values.note } : {}),
      ...(need.reason ? { reason: values.reason } : {}),
      ...(need.assignee ? { assigneeId: values.assigneeId.toLowerCase() } : {}),
      ...(newDueAt ? { newDueAt } : {}),
    };
    try {
      await performAction(ctxOf(req, database), key, input, versionOf(body));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Stale: someone acted first. Show the fresh page and say so; nothing was done.
      if (err.kind === 'precondition_failed') return renderDossier(req, reply, 412, await load(req, key), { notice: t(locale, 'staff.dv.stale') });
      if (err.kind === 'conflict') return renderDossier(req, reply, 409, await load(req, key), { notice: dossierConflictText(locale, err) });
      if (err.kind === 'forbidden') return renderDossier(req, reply, 403, await load(req, key), { notice: t(locale, 'staff.dv.forbidden') });
      if (err.kind === 'invalid') {
        // The action's text box is its reason when it needs one, else its note.
        const text = need.reason ? 'reason' : 'note';
        const fieldOf: Record<string, 'reason' | 'note' | 'assignee' | 'newDue'> = { reason: text, note: text, assigneeId: 'assignee', newDueAt: 'newDue' };
        // A problem outside the action's inputs (an answer of the declaration the fee cannot count) is said at the text box.
        const errs = servicePageErrors(locale, err, (path) => actionField(action, fieldOf[path] ?? text), 'thao-tac');
        return renderDossier(req, reply, 422, await load(req, key), { errors: dedupe(errs), values });
      }
      throw err;
    }
    const fresh = await getDossierView(ctxOf(req, database), key);
    return reply.redirect(`${staffHref(fresh)}?da-lam=${action}`, 303);
  });

  // ------------------------------------------------------------------------- counter intake

  const emptyApplicant = (): ApplicantInput => ({ fullName: '', idNumber: '', organisationName: '', taxCode: '', phone: '', email: '' });
  const kindOf = (v: unknown): ApplicantKind => (str(v, 20) === 'organisation' ? 'organisation' : 'citizen');

  type IntakeChoice = { code: string; name: string; agencyCode: string };

  /** How many of a search's matches the desk does not take are listed, with why (the most used). */
  const INTAKE_OTHERS = 20;

  /**
   * The published procedures this desk may take (all, or those a search finds, best match first),
   * split by `counterIntake`: those it takes at its counter, with the centre it receives them as,
   * and, for a search, up to INTAKE_OTHERS matches it does not take, with the rule's reason. The
   * database leaves out what the rule would refuse (`listCounterIntakeRows`); the rule decides.
   */
  const intakeCatalogue = async (actor: Actor, q?: string) => {
    const desk = deskOf(actor);
    const offered: IntakeChoice[] = [];
    const others: { proc: CounterIntakeRow; refusal: 'DOSSIER_CHANNEL_NOT_ALLOWED' | 'DOSSIER_AGENCY_NOT_RECEIVING' }[] = [];
    if (!desk) return { offered, others };
    const rows = await listCounterIntakeRows(database.db, { agencyIds: desk.scope, q: q || undefined, othersLimit: INTAKE_OTHERS });
    for (const proc of q ? rankProcedures(rows, q) : rows) {
      const c = counterIntake(desk, proc);
      if ('agency' in c) offered.push({ code: proc.code, name: proc.name, agencyCode: c.agency.code });
      else others.push({ proc, refusal: c.refusal });
    }
    return { offered, others };
  };

  /** The procedures this desk takes at its counter, in Vietnamese alphabetical order. */
  const intakeChoices = async (actor: Actor) =>
    (await intakeCatalogue(actor)).offered.sort((a, b) => viCollator.compare(a.name, b.name) || a.code.localeCompare(b.code));

  /** The procedure `code` as this desk takes it at its counter, or the error saying why it does not (the rule's reason when the procedure exists). */
  const intakeChoice = async (p: ReturnType<typeof h.pageCtx>, actor: Actor, code: string): Promise<{ choice: IntakeChoice } | { error: PageError }> => {
    const proc = code ? await findProcedure(database.db, code) : null;
    const c = proc ? counterIntake(deskOf(actor)!, proc) : null;
    if (proc && c && 'agency' in c) return { choice: { code: proc.code, name: proc.name, agencyCode: c.agency.code } };
    const message =
      proc && c && 'refusal' in c
        ? messageHtml(p, 'staff.in.errNotHere', { code: proc.code, why: intakeRefusalWords(p, proc, c.refusal) })
        : t(p.locale, 'staff.in.errProcedure');
    return { error: { anchor: 'in-procedure', message } };
  };

  app.get('/can-bo/tiep-nhan', { schema: { hide: true } }, async (req, reply) => {
    const actor = await staffOnly(req, reply, 'reception');
    if (!actor) return reply;
    const q = record(req.query);
    const procedure = str(q['thu-tuc'], 40);
    const kind = kindOf(q['doi-tuong']);
    const p = h.pageCtx(req, reply);
    const text = str(q.tim, 200);
    if (text && !('thu-tuc' in q)) {
      // A search: the matches this desk takes in the choice, the others listed with why they are not offered.
      const found = await intakeCatalogue(actor, text);
      const others = found.others.map((o) => ({ code: o.proc.code, name: o.proc.name, why: intakeRefusalWords(p, o.proc, o.refusal) }));
      return send(
        reply,
        200,
        intakeStartPage(p, {
          procedures: found.offered,
          procedure: '',
          kind,
          applicant: null,
          nonce: randomBytes(12).toString('hex'),
          errors: [],
          search: { q: text, others },
        }),
      );
    }
    // Step 1 sent (the field is in the query): step 2 for a procedure this desk takes, else the choice again with the reason.
    const picked = 'thu-tuc' in q ? await intakeChoice(p, actor, procedure) : null;
    const nonce = randomBytes(12).toString('hex');
    if (picked && 'choice' in picked)
      return send(reply, 200, intakeStartPage(p, { procedures: [picked.choice], procedure, kind, applicant: emptyApplicant(), nonce, errors: [] }));
    const errors = picked ? [picked.error] : [];
    return send(
      reply,
      errors.length ? 422 : 200,
      intakeStartPage(p, { procedures: await intakeChoices(actor), procedure, kind, applicant: null, nonce, errors }),
    );
  });

  app.post('/can-bo/tiep-nhan', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    const actor = await staffOnly(req, reply, 'reception');
    if (!actor) return reply;
    const procedure = str(body['thu-tuc'], 40);
    const kind = kindOf(body['doi-tuong']);
    const p = h.pageCtx(req, reply);
    const nonce = /^[0-9a-f]{24}$/.test(str(body.nonce, 24)) ? str(body.nonce, 24) : randomBytes(12).toString('hex');
    const input = applicantFromBody(body);
    const smsConsent = body.sms === 'on';
    const picked = await intakeChoice(p, actor, procedure);
    // Not a procedure this desk takes: the choice again (step 1) with the reason.
    if ('error' in picked)
      return send(
        reply,
        422,
        intakeStartPage(p, { procedures: await intakeChoices(actor), procedure, kind, applicant: null, nonce, errors: [picked.error], smsConsent }),
      );
    const choice = picked.choice;
    const again = (status: number, errors: PageError[]) =>
      send(reply, status, intakeStartPage(p, { procedures: [choice], procedure, kind, applicant: input, nonce, errors, smsConsent }));
    const checked = checkApplicant(p.locale, kind, input);
    if (!checked.value) return again(422, checked.errors);
    if (smsConsent && !checked.value.phone) return again(422, [{ anchor: 'a-phone', message: t(p.locale, 'staff.in.smsNeedsPhone') }]);
    if (smsConsent && !isMobilePhone(checked.value.phone ?? '')) return again(422, [{ anchor: 'a-phone', message: t(p.locale, 'staff.in.smsNeedsMobile') }]);
    // Received as the centre `counterIntake` found (the desk's own when it takes the procedure).
    const createBody = {
      procedureCode: procedure,
      agencyCode: choice.agencyCode,
      applicant: checked.value,
      form: {},
      channel: 'in_person' as const,
      ...(smsConsent ? { smsConsent: true } : {}),
    };
    // A double click sends the same nonce: the same draft comes back.
    const idempotencyKey = sha(`web-intake:${str(body.csrf, 200)}:${nonce}:${JSON.stringify(createBody)}`);
    try {
      const { id } = await createDossier(ctxOf(req, database), createBody, idempotencyKey);
      return reply.redirect(`/can-bo/tiep-nhan/${id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'invalid') return again(422, servicePageErrors(p.locale, err, anchorOfPath, 'in-procedure'));
      throw err;
    }
  });

  const intakeId = (req: FastifyRequest): string | null => {
    const id = str(record(req.params).id, 80);
    return UUID_RE.test(id) ? id.toLowerCase() : null;
  };

  app.get('/can-bo/tiep-nhan/:id', { schema: { hide: true } }, async (req, reply) => {
    if (!(await staffOnly(req, reply, 'reception'))) return reply;
    const id = intakeId(req);
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    if (d.dossier.status !== 'draft') return reply.redirect(staffHref(d.dossier), 303);
    return tools.renderDraft(req, reply, 200, d, 'desk', { saved: str(record(req.query)['da-luu'], 2) === '1' });
  });

  app.post('/can-bo/tiep-nhan/:id', { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return csrfPage(req, reply);
    if (!(await staffOnly(req, reply, 'reception'))) return reply;
    const id = intakeId(req);
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    if (d.dossier.status !== 'draft') return reply.redirect(staffHref(d.dossier), 303);
    const receive = str(body.action, 20) === 'receive';
    if (await tools.saveForm(req, reply, d, body, 'desk', receive)) return reply;
    if (!receive) return reply.redirect(`/can-bo/tiep-nhan/${id}?da-luu=1`, 303);
    const ctx = ctxOf(req, database);
    // Bound to the session and the dossier: a double click submits once, and receives once (the guard).
    const idempotencyKey = sha(`web-intake-submit:${str(body.csrf, 200)}:${id}`);
    try {
      await submitDossier(ctx, id, { idempotencyKey });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'DOSSIER_INCOMPLETE') return tools.renderDraft(req, reply, 422, await load(req, id), 'desk', { errors: fromAppError(err) });
      if (err.code === 'DOSSIER_PROCEDURE_UPDATED') {
        const moved = err.details?.moved === true;
        return tools.renderDraft(req, reply, 409, await load(req, id), 'desk', {
          errors: fromAppError(err),
          notice: t(h.locale(req), moved ? 'app.procedureUpdated' : 'app.procedureMoved'),
        });
      }
      if (err.kind !== 'conflict' && err.kind !== 'precondition_failed') throw err;
    }
    const submitted = await getDossierView(ctx, id);
    if (submitted.status === 'submitted' && submitted.allowedActions.includes('receive')) {
      try {
        await performAction(ctx, id, { action: 'receive' }, submitted.version);
      } catch (err) {
        if (!(err instanceof AppError && (err.kind === 'precondition_failed' || err.kind === 'conflict'))) throw err;
      }
    }
    return reply.redirect(`/can-bo/tiep-nhan/${id}/xong`, 303);
  });

  app.get('/can-bo/tiep-nhan/:id/xong', { schema: { hide: true } }, async (req, reply) => {
    if (!(await staffOnly(req, reply, 'reception'))) return reply;
    const id = intakeId(req);
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    if (d.dossier.status === 'draft') return reply.redirect(`/can-bo/tiep-nhan/${id}`, 303);
    return send(reply, 200, intakeDonePage(h.pageCtx(req, reply), d.dossier));
  });

  app.post('/can-bo/tiep-nhan/:id/tep', { schema: { hide: true } }, async (req, reply) => {
    const id = intakeId(req);
    const up = await tools.readUpload(req);
    if (!h.csrfValid(req, { csrf: up.csrf })) return csrfPage(req, reply);
    if (!(await staffOnly(req, reply, 'reception'))) return reply;
    if (!id) return notFoundPage(req, reply);
    const d = await load(req, id);
    if (d.dossier.status !== 'draft') return reply.redirect(staffHref(d.dossier), 303);
    const sent = await tools.attachUpload(
      req,
      reply,
      d,
      up,
      (status, errors) => tools.renderDraft(req, reply, status, d, 'desk', { errors }),
      `/can-bo/tiep-nhan/${id}`,
    );
    if (sent) return reply;
    return reply.redirect(`/can-bo/tiep-nhan/${id}#${componentAnchor(up.component)}`, 303);
  });

  app.post('/can-bo/tiep-nhan/:id/tep/:fileId/xoa', { schema: { hide: true } }, async (req, reply) => {
    if (!h.csrfValid(req, record(req.body))) return csrfPage(req, reply);
    if (!(await staffOnly(req, reply, 'reception'))) return reply;
    const id = intakeId(req);
    const fileId = str(record(req.params).fileId, 80);
    if (!id || !UUID_RE.test(fileId)) return notFoundPage(req, reply);
    await tools.removeUpload(req, id, fileId);
    return reply.redirect(`/can-bo/tiep-nhan/${id}`, 303);
  });
}
