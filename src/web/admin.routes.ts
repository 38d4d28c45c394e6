import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryRows } from '../db/client.ts';
import { getYearCalendar, replaceCalendarOverrides } from '../modules/calendar/index.ts';
import { createUser, listUsers, replaceUserRoles, updateUser, type RoleInput } from '../modules/identity/users.service.ts';
import { findProcedure, listFields } from '../modules/procedures/procedures.repo.ts';
import { ProcedureCode } from '../modules/procedures/procedures.schemas.ts';
import { createProcedure, createProcedureVersion, getProcedureVersions, publishProcedureVersion } from '../modules/procedures/procedures.service.ts';
import { importUnitsCsv, listAgencies, listUnits, saveAgency, type AgencyInput } from '../modules/reference/reference.service.ts';
import type { Role } from '../platform/context.ts';
import { hasRole } from '../platform/context.ts';
import { AppError, type FieldError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { isRealDay } from '../platform/schemas.ts';
import { normalisePhone } from '../platform/text.ts';
import { formatVnDateTime, vnDate } from '../platform/time.ts';
import {
  adminHomePage,
  agenciesPage,
  agencyFormPage,
  calendarPage,
  procedureEditorPage,
  procedureListPage,
  previewPage,
  procedureVersionsPage,
  ROLE_NAMES,
  userFormPage,
  unitsPage,
  usersPage,
  type AdminError,
  type AgencyRow,
  type Choice,
  type UserForm,
  type UserRow,
} from './admin-pages.ts';
import type { WebHelpers } from './application.routes.ts';
import { formField } from './application-pages.ts';
import { t, type Locale } from './i18n.ts';
import { errorPage, procedureDetails } from './pages.ts';
import { serviceErrorText, serviceFieldText } from './service-errors.ts';
import { redirectToSignIn } from './sign-in.ts';
import {
  definitionErrors,
  definitionToValues,
  inputId,
  placeOfPath,
  ROW_GROUPS,
  rowCount,
  valuesFromBody,
  valuesToDefinition,
  type EditorValues,
  type RowGroup,
} from './procedure-editor.ts';

const str = (v: unknown, max = 500): string => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.normalize('NFC').trim().slice(0, max) : '';
};
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const VERSION_RE = /^[1-9]\d{0,5}$/;
const USERNAME_RE = /^[a-z0-9._-]{3,64}$/;
const AGENCY_CODE_RE = /^[A-Za-z0-9._-]{2,64}$/;
/** A long procedure (200 fields) is more than the portal's default 32 KB form limit. */
const EDITOR_BODY_LIMIT = 1024 * 1024;
const CSV_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The text of an uploaded file when it is UTF-8 text (a byte-order mark dropped), else null: a
 * spreadsheet in its own format, a legacy code page (TCVN3, Windows-1258), an image.
 */
function utf8Text(buf: Buffer): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return text.includes('\0') ? null : text;
  } catch {
    return null;
  }
}
const ADD_ROWS = 3;

/** Errors of a service call as messages next to the inputs they concern. */
function pageErrors(
  locale: Locale,
  err: AppError,
  anchorOf: (path: string) => string,
  fallbackAnchor: string,
  opts: { sentence?: boolean; where?: (path: string) => string } = {},
): AdminError[] {
  const list: FieldError[] = err.errors ?? [];
  if (!list.length) return [{ anchor: fallbackAnchor, message: serviceErrorText(locale, err) }];
  // `sentence`: the error (or the field error's reason) says it all; the field errors only say where.
  if (opts.sentence) return list.map((e, i) => ({ anchor: anchorOf(e.path), message: serviceFieldText(locale, err, i) ?? serviceErrorText(locale, err) }));
  // An empty `where` (a problem of the whole thing, e.g. a CSV file's header) leaves only the words.
  const where = opts.where ?? ((path: string) => path.replace(/^definition\./, ''));
  return list.map((e, i) => {
    const words = serviceFieldText(locale, err, i) ?? e.message;
    const at = where(e.path);
    return { anchor: anchorOf(e.path), message: at ? `${at}: ${words}` : words };
  });
}

const isInvalid = (err: unknown): err is AppError => err instanceof AppError && (err.kind === 'invalid' || err.kind === 'conflict');

/** For every administrators' page: signed-in administrators pass; others get the sign-in page or a 403 page. */
export function adminGuard(h: WebHelpers) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!req.actor) {
      await redirectToSignIn(req, reply);
      return false;
    }
    if (!hasRole(req.actor, 'admin')) {
      const p = h.pageCtx(req, reply);
      await h.send(reply, 403, errorPage(p, t(p.locale, 'error.title'), t(p.locale, 'admin.forbidden')));
      return false;
    }
    return true;
  };
}

/**
 * The administrators' pages under `/quan-tri`: procedures (edit, preview, publish), the working
 * calendar, accounts and roles, agencies, administrative units. Every rule stays in the
 * services (the same ones as the API); these handlers turn forms into calls and errors into
 * messages next to the inputs.
 */
export function registerAdminRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;

  const guard = adminGuard(h);
  const postGuard = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!(await guard(req, reply))) return false;
    if (!h.csrfValid(req, record(req.body))) {
      const p = h.pageCtx(req, reply);
      await send(reply, 403, errorPage(p, t(p.locale, 'error.csrfTitle'), t(p.locale, 'error.csrf')));
      return false;
    }
    return true;
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const p = h.pageCtx(req, reply);
    return send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'error.notFound')));
  };
  const ctx = (req: FastifyRequest) => ctxOf(req, database);
  const notice = (req: FastifyRequest, locale: Locale): string | undefined => {
    const q = record(req.query);
    const v = str(q.v, 8);
    if (q['da-luu'] === 'nhap' && VERSION_RE.test(v)) return t(locale, 'admin.proc.draftSaved', { v });
    if (q['da-luu'] === 'cong-bo' && VERSION_RE.test(v)) return t(locale, 'admin.proc.published', { v });
    if (q['da-luu'] === '1') return t(locale, 'admin.saved');
    return undefined;
  };

  app.get('/quan-tri', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    return send(reply, 200, adminHomePage(h.pageCtx(req, reply)));
  });

  // ---------------------------------------------------------------- procedures

  app.get('/quan-tri/thu-tuc', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const q = str(record(req.query).q, 200);
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await queryRows<{ code: string; name: string; current_version: number | null; latest_version: number; latest_status: string }>(
      database.db,
      sql`SELECT p.code, p.name, p.current_version, v.version AS latest_version, v.status AS latest_status
          FROM procedures p
          JOIN LATERAL (SELECT version, status FROM procedure_versions WHERE procedure_id = p.id ORDER BY version DESC LIMIT 1) v ON true
          WHERE ${q} = '' OR p.code ILIKE ${like} OR p.name ILIKE ${like}
          ORDER BY p.code LIMIT 500`,
    );
    return send(
      reply,
      200,
      procedureListPage(h.pageCtx(req, reply), {
        q,
        rows: rows.map((r) => ({
          code: r.code,
          name: r.name,
          currentVersion: r.current_version,
          latestVersion: Number(r.latest_version),
          latestStatus: r.latest_status,
        })),
      }),
    );
  });

  const editorChoices = async () => {
    const [fields, agencies] = await Promise.all([listFields(database.db), listAgencies(database.db)]);
    return {
      fields: fields.map((f): Choice => ({ value: f.code, label: f.name })),
      agencies: agencies.map((a): Choice => ({ value: a.code, label: `${a.name} (${a.code})` })),
      agencyCodes: agencies.map((a) => a.code),
    };
  };

  /** A new procedure starts with the usual shape: a specialist's review then a leader's approval. */
  const blankValues = (): EditorValues => ({
    tier: 'province',
    onlineLevel: 'full',
    durationUnit: 'working_days',
    resultKind: 'electronic',
    popularity: '0',
    'channel.online': 'on',
    'channel.in_person': 'on',
    'applicant.citizen': 'on',
    'wf.0.key': 'tham_dinh',
    'wf.0.name': 'Chuyên viên thẩm định',
    'wf.0.role': 'specialist',
    'wf.0.share': '0.7',
    'wf.1.key': 'phe_duyet',
    'wf.1.name': 'Lãnh đạo phê duyệt',
    'wf.1.role': 'leader',
    'wf.1.share': '0.3',
    'rows.form': '3',
    'rows.comp': '2',
    'rows.wf': '2',
    'rows.fee': '1',
  });

  const renderEditor = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    mode: 'new' | 'version',
    code: string,
    values: EditorValues,
    errors: AdminError[],
    extraRows: Partial<Record<RowGroup, number>> = {},
  ) => {
    const c = await editorChoices();
    return send(reply, status, procedureEditorPage(h.pageCtx(req, reply), { mode, code, values, errors, fields: c.fields, agencies: c.agencies, extraRows }));
  };

  /** Save or add rows; `save` creates the draft through the procedures service. */
  const handleEditorPost = async (req: FastifyRequest, reply: FastifyReply, mode: 'new' | 'version', pathCode: string | null) => {
    const body = record(req.body);
    const values = valuesFromBody(body);
    const code = pathCode ?? str(body.code, 40);
    const op = str(body.op, 20);
    const add = /^add-(form|comp|wf|fee)$/.exec(op)?.[1] as RowGroup | undefined;
    if (add) {
      values[`rows.${add}`] = String(rowCount(values, add) + ADD_ROWS);
      return renderEditor(req, reply, 200, mode, code, values, []);
    }
    const locale = h.locale(req);
    const codeLabel = t(locale, 'admin.edit.code');
    const errors: AdminError[] = [];
    if (mode === 'new' && !ProcedureCode.safeParse(code).success) {
      errors.push({ anchor: 'p-code', message: t(locale, 'admin.errInvalid', { label: codeLabel, message: t(locale, 'admin.edit.codeInvalid') }) });
    }
    // Every problem at once, worded for this page, before the service checks the same schema again.
    const choices = await editorChoices();
    const { input, rowOf } = valuesToDefinition(values, choices.agencyCodes);
    errors.push(...definitionErrors(locale, values, input, rowOf, { fields: choices.fields.map((f) => f.value), agencies: choices.agencyCodes }));
    if (errors.length) return renderEditor(req, reply, 422, mode, code, values, errors);
    const decisionRef = values.decisionRef || undefined;
    try {
      const r = mode === 'new' ? await createProcedure(ctx(req), code, input, decisionRef) : await createProcedureVersion(ctx(req), code, input, decisionRef);
      return reply.redirect(`/quan-tri/thu-tuc/${encodeURIComponent(code)}?da-luu=nhap&v=${r.version}`, 303);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      if (err.code === 'PROCEDURE_CODE_TAKEN')
        return renderEditor(req, reply, 422, mode, code, values, [
          { anchor: 'p-code', message: t(locale, 'admin.errInvalid', { label: codeLabel, message: t(locale, 'admin.edit.codeTaken') }) },
        ]);
      // Left for the service: what changed since the page was shown (a field or an agency removed meanwhile).
      const list = (err.errors ?? []).map((e, i): AdminError => {
        const path = e.path.split('.').filter((x) => x !== 'definition');
        const words = serviceFieldText(locale, err, i) ?? e.message;
        if (!path.length) return { anchor: 'p-competentAgencyCode', message: words };
        const place = placeOfPath(locale, path, rowOf);
        return { anchor: place.anchor, message: t(locale, 'admin.errInvalid', { label: place.label, message: words }) };
      });
      return renderEditor(req, reply, 422, mode, code, values, list.length ? list : [{ anchor: 'p-name', message: serviceErrorText(locale, err) }]);
    }
  };

  app.get('/quan-tri/thu-tuc/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    return renderEditor(req, reply, 200, 'new', '', blankValues(), []);
  });
  app.post('/quan-tri/thu-tuc/moi', { schema: { hide: true }, bodyLimit: EDITOR_BODY_LIMIT }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    return handleEditorPost(req, reply, 'new', null);
  });

  const procedureCode = (req: FastifyRequest): string | null => {
    const code = str(record(req.params).code, 40);
    return ProcedureCode.safeParse(code).success ? code : null;
  };

  const renderVersions = async (req: FastifyRequest, reply: FastifyReply, code: string, status: number, errors: AdminError[]) => {
    const c = ctx(req);
    let versions;
    try {
      versions = await getProcedureVersions(c, code);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return notFound(req, reply);
      throw err;
    }
    const latest = await findProcedure(database.db, code, Math.max(...versions.map((v) => v.version)), true);
    const p = h.pageCtx(req, reply);
    return send(
      reply,
      status,
      procedureVersionsPage(p, {
        code,
        name: latest?.name ?? code,
        versions: versions.map((v) => ({
          version: v.version,
          status: v.status,
          createdAt: formatVnDateTime(v.createdAt),
          publishedAt: v.publishedAt ? formatVnDateTime(v.publishedAt) : null,
          decisionRef: v.decisionRef,
        })),
        notice: notice(req, p.locale),
        errors,
      }),
    );
  };

  app.get('/quan-tri/thu-tuc/:code', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const code = procedureCode(req);
    if (!code) return notFound(req, reply);
    return renderVersions(req, reply, code, 200, []);
  });

  /** The latest version (draft or published) as the starting point of the next one. */
  const latestValues = async (code: string): Promise<EditorValues | null> => {
    const rows = await queryRows<{ version: number; decision_ref: string | null }>(
      database.db,
      sql`SELECT v.version, v.decision_ref FROM procedure_versions v JOIN procedures p ON p.id = v.procedure_id WHERE p.code = ${code} ORDER BY v.version DESC LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return null;
    const proc = await findProcedure(database.db, code, Number(row.version), true);
    if (!proc) return null;
    const values = definitionToValues(proc.definition);
    // One blank row in each list, ready to fill.
    for (const g of Object.keys(ROW_GROUPS) as RowGroup[]) values[`rows.${g}`] = String(rowCount(values, g) + 1);
    return values;
  };

  app.get('/quan-tri/thu-tuc/:code/phien-ban-moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const code = procedureCode(req);
    const values = code ? await latestValues(code) : null;
    if (!code || !values) return notFound(req, reply);
    return renderEditor(req, reply, 200, 'version', code, values, []);
  });
  app.post('/quan-tri/thu-tuc/:code/phien-ban-moi', { schema: { hide: true }, bodyLimit: EDITOR_BODY_LIMIT }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const code = procedureCode(req);
    if (!code) return notFound(req, reply);
    return handleEditorPost(req, reply, 'version', code);
  });

  app.get('/quan-tri/thu-tuc/:code/:version/xem-truoc', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const code = procedureCode(req);
    const version = str(record(req.params).version, 8);
    if (!code || !VERSION_RE.test(version)) return notFound(req, reply);
    const proc = await findProcedure(database.db, code, Number(version), true);
    if (!proc) return notFound(req, reply);
    const p = h.pageCtx(req, reply);
    const def = proc.definition;
    return send(
      reply,
      200,
      previewPage(p, {
        code,
        version: proc.version,
        def,
        procedureHtml: procedureDetails(p, proc, { start: false }),
        formHtml: def.form.map((f) => formField(p, f, undefined, [])),
      }),
    );
  });

  app.post('/quan-tri/thu-tuc/:code/:version/cong-bo', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const code = procedureCode(req);
    const version = str(record(req.params).version, 8);
    if (!code || !VERSION_RE.test(version)) return notFound(req, reply);
    try {
      await publishProcedureVersion(ctx(req), code, Number(version));
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return notFound(req, reply);
      if (!isInvalid(err)) throw err;
      return renderVersions(req, reply, code, 409, [{ anchor: 'main', message: serviceErrorText(h.locale(req), err) }]);
    }
    return reply.redirect(`/quan-tri/thu-tuc/${encodeURIComponent(code)}?da-luu=cong-bo&v=${version}`, 303);
  });

  // ------------------------------------------------------------------ calendar

  /**
   * The year asked for (`?nam=`), or this year when none is; `typed` is what was sent when it is not
   * a year of 4 digits (`abc`, `2026.5`, `20277`): the page says so at the box and shows this year.
   */
  const yearOf = (req: FastifyRequest): { year: number; typed: string | null } => {
    const y = str(record(req.query).nam, 40);
    const thisYear = Number(vnDate(new Date()).slice(0, 4));
    if (!y) return { year: thisYear, typed: null };
    return /^\d{4}$/.test(y) ? { year: Number(y), typed: null } : { year: thisYear, typed: y };
  };
  const yearError = (locale: Locale, year: number): AdminError[] => [{ anchor: 'nam', message: t(locale, 'admin.cal.err.yearInput', { year }) }];

  const overridesText = async (year: number) => {
    const rows = await queryRows<{ date: string; kind: string; name: string }>(
      database.db,
      sql`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, name FROM calendar_overrides WHERE year = ${year} ORDER BY date`,
    );
    const text = (kind: string) =>
      rows
        .filter((r) => r.kind === kind)
        .map((r) => `${r.date} ${r.name}`)
        .join('\n');
    return { daysOff: text('day_off'), workingDays: text('working_day') };
  };

  const renderCalendar = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    year: number,
    text: { daysOff: string; workingDays: string } | null,
    errors: AdminError[],
    noticeText?: string,
    yearInput?: string,
  ) => {
    const p = h.pageCtx(req, reply);
    let cal;
    try {
      cal = await getYearCalendar(ctx(req), year);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      return send(reply, 422, errorPage(p, t(p.locale, 'error.title'), serviceErrorText(p.locale, err)));
    }
    const current = text ?? (await overridesText(year));
    return send(
      reply,
      status,
      calendarPage(p, { year, cal, daysOffText: current.daysOff, workingDaysText: current.workingDays, errors, notice: noticeText, yearInput }),
    );
  };

  app.get('/quan-tri/lich', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const { year, typed } = yearOf(req);
    if (typed !== null) return renderCalendar(req, reply, 422, year, null, yearError(h.locale(req), year), undefined, typed);
    return renderCalendar(
      req,
      reply,
      200,
      year,
      null,
      [],
      record(req.query)['da-luu'] === '1' ? t(h.locale(req), 'admin.cal.savedCount', { year }) : undefined,
    );
  });

  app.post('/quan-tri/lich', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const { year, typed } = yearOf(req);
    const body = record(req.body);
    const text = { daysOff: str(body.daysOff, 20_000), workingDays: str(body.workingDays, 20_000) };
    const locale = h.locale(req);
    // The form's own address always names a year: anything else saves nothing.
    if (typed !== null) return renderCalendar(req, reply, 422, year, text, yearError(locale, year), undefined, typed);
    const errors: AdminError[] = [];
    // Each entry's line in its text box, to name it ("Ngày nghỉ, dòng 3") in errors found here or by the service.
    const lineOf = { daysOff: [] as number[], workingDays: [] as number[] };
    const where = (list: 'daysOff' | 'workingDays', n: number) => t(locale, list === 'daysOff' ? 'admin.cal.rowOff' : 'admin.cal.rowWork', { n });
    const anchorOf = (list: 'daysOff' | 'workingDays') => (list === 'daysOff' ? 'cal-daysOff' : 'cal-workingDays');
    const seen = new Map<string, string>();
    const parse = (list: 'daysOff' | 'workingDays') =>
      text[list].split(/\r?\n/).flatMap((raw, i) => {
        const line = raw.trim();
        if (!line) return [];
        const label = where(list, i + 1);
        const bad = (message: string) => {
          errors.push({ anchor: anchorOf(list), message: t(locale, 'admin.errInvalid', { label, message }) });
          return [];
        };
        const m = /^(\S+)\s+(.+)$/.exec(line);
        const date = m?.[1] ?? '';
        if (!m || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return bad(t(locale, 'admin.cal.err.format'));
        if (!isRealDay(date)) return bad(t(locale, 'admin.cal.err.date', { date }));
        if (date.slice(0, 4) !== String(year)) return bad(t(locale, 'admin.cal.err.year', { date, year }));
        const first = seen.get(date);
        if (first !== undefined) return bad(t(locale, 'admin.cal.err.duplicate', { date, where: first }));
        seen.set(date, label);
        lineOf[list].push(i + 1);
        return [{ date, name: m[2]!.slice(0, 200) }];
      });
    const overrides = { daysOff: parse('daysOff'), workingDays: parse('workingDays') };
    if (errors.length) return renderCalendar(req, reply, 422, year, text, errors);
    try {
      await replaceCalendarOverrides(ctx(req), year, overrides);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      // The service's problems name entries as `daysOff[2]`: shown as the line they came from.
      const list = (err.errors ?? []).map((e, i): AdminError => {
        const m = /^(daysOff|workingDays)\[(\d+)\]/.exec(e.path);
        const words = serviceFieldText(locale, err, i) ?? e.message;
        if (!m) return { anchor: 'cal-daysOff', message: words };
        const name = m[1] as 'daysOff' | 'workingDays';
        const label = where(name, lineOf[name][Number(m[2])] ?? Number(m[2]) + 1);
        return { anchor: anchorOf(name), message: t(locale, 'admin.errInvalid', { label, message: words }) };
      });
      return renderCalendar(req, reply, 422, year, text, list.length ? list : [{ anchor: 'cal-daysOff', message: serviceErrorText(locale, err) }]);
    }
    return reply.redirect(`/quan-tri/lich?nam=${year}&da-luu=1`, 303);
  });

  // --------------------------------------------------------------------- users

  const agencyChoices = async (): Promise<Choice[]> => (await listAgencies(database.db)).map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }));

  const rolesFromBody = (body: Record<string, unknown>): UserForm['roles'] => {
    const out: UserForm['roles'] = [];
    for (let i = 0; i < 20; i++) {
      const role = str(body[`role.${i}.role`], 40);
      if (!role) continue;
      out.push({ role, agencyCode: str(body[`role.${i}.agency`], 64), includeChildren: body[`role.${i}.children`] === 'on' });
    }
    return out;
  };
  const roleInputs = (roles: UserForm['roles']): RoleInput[] =>
    roles.map((r) => ({ role: r.role as Role, ...(r.agencyCode ? { agencyCode: r.agencyCode } : {}), includeChildren: r.includeChildren }));
  /**
   * The service's role problems (`roles.2.agencyCode`) as "Vai trò 3: cần chọn cơ quan" at that row's
   * input. The rules stay in the service; which one a problem is follows from the row itself. The
   * form shows the filled rows first and in order, so entry i is row i + 1 on the page shown back.
   */
  const roleErrors = async (locale: Locale, err: AppError, roles: UserForm['roles']): Promise<AdminError[]> => {
    const known = new Set((await agencyChoices()).map((a) => a.value));
    const out: AdminError[] = [];
    for (const e of err.errors ?? []) {
      const m = /^roles\.(\d+)\.(role|agencyCode)$/.exec(e.path);
      const i = Number(m?.[1]);
      const r = roles[i];
      if (!m || !r) {
        out.push({ anchor: 'sec-roles', message: serviceErrorText(locale, err) });
        continue;
      }
      let words: string;
      if (m[2] === 'agencyCode')
        words = t(
          locale,
          !r.agencyCode ? 'admin.users.err.needsAgency' : known.has(r.agencyCode) ? 'admin.users.err.noAgency' : 'admin.users.err.unknownAgency',
        );
      else words = t(locale, roles.slice(0, i).some((x) => x.role === r.role) ? 'admin.users.err.duplicate' : 'admin.users.err.kind');
      const error = {
        anchor: inputId(`role.${i}.${m[2] === 'agencyCode' ? 'agency' : 'role'}`),
        message: t(locale, 'admin.users.roleErr', { n: i + 1, message: words }),
      };
      if (!out.some((x) => x.anchor === error.anchor && x.message === error.message)) out.push(error);
    }
    return out.length ? out : [{ anchor: 'sec-roles', message: serviceErrorText(locale, err) }];
  };

  app.get('/quan-tri/tai-khoan', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const roleParam = str(record(req.query)['vai-tro'], 40);
    const role = (ROLE_NAMES as readonly string[]).includes(roleParam) ? (roleParam as Role) : undefined;
    const rows = await listUsers(ctx(req), { role });
    const p = h.pageCtx(req, reply);
    const created = str(record(req.query)['da-tao'], 64);
    return send(
      reply,
      200,
      usersPage(p, {
        role: role ?? '',
        rows: rows.map((r): UserRow => ({
          username: r.username,
          displayName: r.display_name,
          kind: r.kind,
          isActive: r.is_active,
          roles: (Array.isArray(r.roles) ? r.roles : []) as UserRow['roles'],
        })),
        notice: USERNAME_RE.test(created) ? t(p.locale, 'admin.users.created', { username: created }) : undefined,
      }),
    );
  });

  const blankUser = (): UserForm => ({
    username: '',
    displayName: '',
    kind: 'staff',
    password: '',
    idNumber: '',
    email: '',
    phone: '',
    isActive: true,
    roles: [],
  });

  app.get('/quan-tri/tai-khoan/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    return send(reply, 200, userFormPage(h.pageCtx(req, reply), { mode: 'new', form: blankUser(), agencies: await agencyChoices(), errors: [] }));
  });

  app.post('/quan-tri/tai-khoan/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const body = record(req.body);
    const locale = h.locale(req);
    const form: UserForm = {
      username: str(body.username, 64).toLowerCase(),
      displayName: str(body.displayName, 200),
      kind: ['staff', 'citizen', 'organisation'].includes(str(body.kind, 20)) ? str(body.kind, 20) : 'staff',
      password: typeof body.password === 'string' ? body.password.slice(0, 200) : '',
      idNumber: str(body.idNumber, 20).replace(/\s/g, ''),
      email: str(body.email, 254),
      phone: str(body.phone, 30),
      isActive: true,
      roles: rolesFromBody(body),
    };
    const errors: AdminError[] = [];
    const bad = (name: string, label: Parameters<typeof t>[1], message: string) =>
      errors.push({ anchor: inputId(name), message: t(locale, 'admin.errInvalid', { label: t(locale, label), message }) });
    if (!USERNAME_RE.test(form.username)) bad('username', 'admin.users.username', t(locale, 'admin.err.username'));
    if (!form.displayName) bad('displayName', 'admin.users.displayName', t(locale, 'admin.err.required'));
    if (form.password.length < 10) bad('password', 'admin.users.password', t(locale, 'admin.err.password'));
    if (form.idNumber && !/^\d{12}$/.test(form.idNumber)) bad('idNumber', 'admin.users.idNumber', t(locale, 'admin.err.idNumber'));
    if (form.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)) bad('email', 'admin.users.email', t(locale, 'admin.err.format'));
    if (form.phone && normalisePhone(form.phone) === null) bad('phone', 'admin.users.phone', t(locale, 'admin.err.phone'));
    const render = async (status: number, errs: AdminError[]) =>
      send(reply, status, userFormPage(h.pageCtx(req, reply), { mode: 'new', form: { ...form, password: '' }, agencies: await agencyChoices(), errors: errs }));
    if (errors.length) return render(422, errors);
    try {
      await createUser(ctx(req), {
        username: form.username,
        displayName: form.displayName,
        password: form.password,
        kind: form.kind as 'staff' | 'citizen' | 'organisation',
        idNumber: form.idNumber || undefined,
        email: form.email || undefined,
        phone: form.phone || undefined,
        roles: roleInputs(form.roles),
      });
    } catch (err) {
      if (!isInvalid(err)) throw err;
      if (err.code === 'USERNAME_TAKEN') return render(422, [{ anchor: inputId('username'), message: serviceErrorText(locale, err) }]);
      return render(
        422,
        err.code === 'USER_ROLES_INVALID' ? await roleErrors(locale, err, form.roles) : [{ anchor: 'sec-roles', message: serviceErrorText(locale, err) }],
      );
    }
    return reply.redirect(`/quan-tri/tai-khoan?da-tao=${encodeURIComponent(form.username)}`, 303);
  });

  const findUser = async (req: FastifyRequest, username: string): Promise<UserForm | null> => {
    const rows = await listUsers(ctx(req), {});
    const u = rows.find((r) => r.username === username);
    if (!u) return null;
    const roles = (Array.isArray(u.roles) ? u.roles : []) as { role: string; agencyCode: string | null; includeChildren: boolean }[];
    return {
      ...blankUser(),
      username: u.username,
      displayName: u.display_name,
      kind: u.kind,
      isActive: u.is_active,
      roles: roles.map((r) => ({ role: r.role, agencyCode: r.agencyCode ?? '', includeChildren: r.includeChildren })),
    };
  };

  app.get('/quan-tri/tai-khoan/:username', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const username = str(record(req.params).username, 64);
    const form = USERNAME_RE.test(username) ? await findUser(req, username) : null;
    if (!form) return notFound(req, reply);
    const p = h.pageCtx(req, reply);
    return send(reply, 200, userFormPage(p, { mode: 'edit', form, agencies: await agencyChoices(), errors: [], notice: notice(req, p.locale) }));
  });

  app.post('/quan-tri/tai-khoan/:username', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const username = str(record(req.params).username, 64);
    const current = USERNAME_RE.test(username) ? await findUser(req, username) : null;
    if (!current) return notFound(req, reply);
    const body = record(req.body);
    const form: UserForm = {
      ...current,
      displayName: str(body.displayName, 200) || current.displayName,
      isActive: body.isActive === 'on',
      roles: rolesFromBody(body),
    };
    try {
      await replaceUserRoles(ctx(req), username, roleInputs(form.roles));
      await updateUser(ctx(req), username, { isActive: form.isActive, displayName: form.displayName });
    } catch (err) {
      if (!isInvalid(err)) throw err;
      const errors =
        err.code === 'USER_ROLES_INVALID'
          ? await roleErrors(h.locale(req), err, form.roles)
          : [{ anchor: err.code === 'USER_SELF_DEACTIVATION' ? 'sec-active' : 'sec-roles', message: serviceErrorText(h.locale(req), err) }];
      return send(reply, 422, userFormPage(h.pageCtx(req, reply), { mode: 'edit', form, agencies: await agencyChoices(), errors }));
    }
    return reply.redirect(`/quan-tri/tai-khoan/${encodeURIComponent(username)}?da-luu=1`, 303);
  });

  // ------------------------------------------------------------------ agencies

  const agencyRows = async (): Promise<AgencyRow[]> =>
    (
      await queryRows<{ code: string; name: string; short_name: string; identity_code: string; unit_code: string; kind: string; parent_code: string | null }>(
        database.db,
        sql`SELECT a.code, a.name, a.short_name, a.identity_code, a.unit_code, a.kind, p.code AS parent_code
            FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id WHERE a.is_active ORDER BY a.code`,
      )
    ).map((r) => ({
      code: r.code,
      name: r.name,
      shortName: r.short_name,
      identityCode: r.identity_code,
      unitCode: r.unit_code,
      kind: r.kind,
      parentCode: r.parent_code,
    }));

  app.get('/quan-tri/co-quan', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const p = h.pageCtx(req, reply);
    return send(reply, 200, agenciesPage(p, { rows: await agencyRows(), notice: notice(req, p.locale) }));
  });

  const blankAgency = (): AgencyRow => ({ code: '', name: '', shortName: '', identityCode: '', unitCode: '', kind: 'department', parentCode: null });

  const renderAgency = async (req: FastifyRequest, reply: FastifyReply, status: number, mode: 'new' | 'edit', form: AgencyRow, errors: AdminError[]) =>
    send(reply, status, agencyFormPage(h.pageCtx(req, reply), { mode, form, parents: await agencyChoices(), errors }));

  app.get('/quan-tri/co-quan/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    return renderAgency(req, reply, 200, 'new', blankAgency(), []);
  });

  app.get('/quan-tri/co-quan/:code', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const code = str(record(req.params).code, 64);
    const form = (await agencyRows()).find((a) => a.code === code);
    if (!form) return notFound(req, reply);
    return renderAgency(req, reply, 200, 'edit', form, []);
  });

  const saveAgencyForm = async (req: FastifyRequest, reply: FastifyReply, mode: 'new' | 'edit', pathCode: string | null) => {
    const body = record(req.body);
    const locale = h.locale(req);
    const kind = str(body.kind, 40);
    const form: AgencyRow = {
      code: pathCode ?? str(body.code, 64),
      name: str(body.name, 300),
      shortName: str(body.shortName, 100),
      identityCode: str(body.identityCode, 64),
      unitCode: str(body.unitCode, 20),
      kind: ['service_centre', 'department', 'commune_committee', 'other'].includes(kind) ? kind : 'other',
      parentCode: str(body.parentCode, 64) || null,
    };
    const errors: AdminError[] = [];
    const need = (name: keyof AgencyRow, label: Parameters<typeof t>[1], ok: boolean, message = t(locale, 'admin.err.required')) => {
      if (!ok) errors.push({ anchor: inputId(name), message: t(locale, 'admin.errInvalid', { label: t(locale, label), message }) });
    };
    if (mode === 'new') need('code', 'admin.code', AGENCY_CODE_RE.test(form.code), t(locale, 'admin.err.agencyCode'));
    need('name', 'admin.name', !!form.name);
    need('shortName', 'admin.ag.shortName', !!form.shortName);
    need('identityCode', 'admin.ag.identityCode', /^[0-9A-Za-z.]{3,40}$/.test(form.identityCode), t(locale, 'admin.err.identityCode'));
    need('unitCode', 'admin.ag.unit', /^\d{2,5}$/.test(form.unitCode), t(locale, 'admin.err.unitCode'));
    if (errors.length) return renderAgency(req, reply, 422, mode, form, errors);
    if (mode === 'new' && (await agencyRows()).some((a) => a.code === form.code)) {
      return renderAgency(req, reply, 422, mode, form, [
        { anchor: inputId('code'), message: t(locale, 'admin.errInvalid', { label: t(locale, 'admin.code'), message: t(locale, 'admin.err.codeTaken') }) },
      ]);
    }
    const input: AgencyInput = {
      code: form.code,
      name: form.name,
      shortName: form.shortName,
      identityCode: form.identityCode,
      unitCode: form.unitCode,
      parentCode: form.parentCode,
      kind: form.kind as AgencyInput['kind'],
    };
    try {
      await saveAgency(ctx(req), input);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      // Each reason as a sentence at its input: a unit code not in force (naming any successor), a parent missing or a cycle, an identity code taken.
      return renderAgency(
        req,
        reply,
        422,
        mode,
        form,
        pageErrors(locale, err, (path) => inputId(path || 'name'), inputId('name'), { sentence: true }),
      );
    }
    return reply.redirect('/quan-tri/co-quan?da-luu=1', 303);
  };

  app.post('/quan-tri/co-quan/moi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    return saveAgencyForm(req, reply, 'new', null);
  });
  app.post('/quan-tri/co-quan/:code', { schema: { hide: true } }, async (req, reply) => {
    if (!(await postGuard(req, reply))) return reply;
    const code = str(record(req.params).code, 64);
    if (!(await agencyRows()).some((a) => a.code === code)) return notFound(req, reply);
    return saveAgencyForm(req, reply, 'edit', code);
  });

  // --------------------------------------------------------------------- units

  /**
   * The page for the day asked for (`?ngay=`), or today when none is. A day that is not a real one
   * (`2025-02-30`, `abc`, `2025-01-05T00:00`) is said at the date box and in the summary, kept in
   * the box, and today's units are shown: a 422 where the page would otherwise be a 200.
   */
  const renderUnits = async (req: FastifyRequest, reply: FastifyReply, status: number, errors: AdminError[], noticeText?: string) => {
    const typed = str(record(req.query).ngay, 40);
    const today = vnDate(new Date());
    const bad = typed !== '' && !isRealDay(typed);
    const at = typed && !bad ? typed : today;
    const locale = h.locale(req);
    const all = bad
      ? [
          ...errors,
          {
            anchor: 'ngay',
            message: t(locale, 'admin.errInvalid', { label: t(locale, 'admin.units.at'), message: t(locale, 'admin.units.err.at', { date: typed, today }) }),
          },
        ]
      : errors;
    const rows = await listUnits(database.db, at);
    const page = unitsPage(h.pageCtx(req, reply), { at, atInput: bad ? typed : undefined, rows, errors: all, notice: noticeText });
    return send(reply, bad && status === 200 ? 422 : status, page);
  };

  app.get('/quan-tri/don-vi', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const q = record(req.query);
    const locale = h.locale(req);
    const n = (k: string) => str(q[k], 8);
    const done = /^\d+$/.test(n('rows')) ? t(locale, 'admin.units.imported', { rows: n('rows'), inserted: n('inserted'), updated: n('updated') }) : undefined;
    return renderUnits(req, reply, 200, [], done);
  });

  app.post('/quan-tri/don-vi/nhap', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const locale = h.locale(req);
    if (!req.isMultipart()) return renderUnits(req, reply, 415, [{ anchor: 'u-file', message: t(locale, 'admin.units.noFile') }]);
    let csrf = '';
    let text: string | null = null;
    let tooBig = false;
    let notText = false;
    /** A file was chosen (the browser sends an empty part without a name when none was). */
    let chosen = false;
    for await (const part of req.parts({ limits: { fileSize: CSV_MAX_BYTES, files: 1, fields: 5 } })) {
      if (part.type === 'field') {
        if (part.fieldname === 'csrf') csrf = String(part.value);
        continue;
      }
      if (part.filename) chosen = true;
      const buf = await part.toBuffer().catch((err: unknown) => {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          tooBig = true;
          return null;
        }
        throw err;
      });
      if (buf && buf.length) {
        text = utf8Text(buf);
        notText = text === null;
      }
    }
    if (!h.csrfValid(req, { csrf })) {
      const p = h.pageCtx(req, reply);
      return send(reply, 403, errorPage(p, t(p.locale, 'error.csrfTitle'), t(p.locale, 'error.csrf')));
    }
    if (tooBig) return renderUnits(req, reply, 413, [{ anchor: 'u-file', message: t(locale, 'admin.units.tooBig') }]);
    if (notText) return renderUnits(req, reply, 422, [{ anchor: 'u-file', message: t(locale, 'admin.units.notText') }]);
    // A chosen file with nothing in it (0 bytes, or only a byte-order mark and blank lines) is not "no file".
    if (!text?.trim())
      return renderUnits(req, reply, 422, [{ anchor: 'u-file', message: t(locale, chosen || text !== null ? 'admin.units.emptyFile' : 'admin.units.noFile') }]);
    try {
      const r = await importUnitsCsv(ctx(req), text);
      return reply.redirect(`/quan-tri/don-vi?rows=${r.rows}&inserted=${r.inserted}&updated=${r.updated}`, 303);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      // A bad line is named as "Line 3" (`csv.line3`); a problem of the whole file (`csv`, `csv.header`) by its words alone.
      const where = (path: string) => {
        const line = /^csv\.line(\d+)$/.exec(path)?.[1];
        return line ? t(locale, 'admin.units.line', { n: line }) : '';
      };
      return renderUnits(
        req,
        reply,
        422,
        pageErrors(locale, err, () => 'u-file', 'u-file', { where }),
      );
    }
  });
}
