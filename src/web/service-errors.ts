/**
 * Services' refusals in the page's language, for every page (administrators, officers, citizens).
 * A service throws an AppError with a stable `code` and, as its `cause`, the reason and values of
 * what it says (ErrorReasons in platform/errors.ts; the API never sends them). A page words it
 * from the catalogue: `svc.<CODE>.<reason>` or `svc.<CODE>` (messages/services.ts), or the
 * administrators' `admin.svc.<CODE>…` (messages/admin.ts); the service's own (Vietnamese) words
 * only for a code the catalogue does not know.
 */
import type { AppError, FieldError } from '../platform/errors.ts';
import { formatDay } from '../platform/time.ts';
import type { PageError } from './application-pages.ts';
import { catalogues, t, type Locale, type MessageKey } from './i18n.ts';

type Params = Record<string, string | number>;
type Reason = { reason: string; params?: Params };

const isParams = (v: unknown): v is Params => !!v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number');

/** The reasons and values a service attached as the error's `cause` (ErrorReasons in platform/errors.ts), checked. */
export function reasonsOf(err: AppError): { reason?: string; params?: Params; reasons?: Reason[][] } {
  const c = err.cause as Record<string, unknown> | null | undefined;
  if (!c || typeof c !== 'object' || c instanceof Error) return {};
  const part = (x: unknown) =>
    x && typeof x === 'object' && typeof (x as { reason?: unknown }).reason === 'string' ? (x as { reason: string; params?: unknown }) : null;
  return {
    reason: typeof c.reason === 'string' ? c.reason : undefined,
    params: isParams(c.params) ? c.params : undefined,
    reasons: Array.isArray(c.reasons)
      ? c.reasons.map((r: unknown) =>
          Array.isArray(r) ? r.map(part).flatMap((x) => (x ? [{ reason: x.reason, params: isParams(x.params) ? x.params : undefined }] : [])) : [],
        )
      : undefined,
  };
}

/** The areas whose catalogue words services' refusals: the shared one first, then the administrators' older keys. */
const PREFIXES = ['svc', 'admin.svc'] as const;
const catalogueKey = (key: string): MessageKey | null => (key in catalogues.vi ? (key as MessageKey) : null);
/** The first of these keys the catalogue has. */
const firstKey = (names: readonly string[]): MessageKey | null => names.map(catalogueKey).find((k) => k !== null) ?? null;
/** The error's words: its reason's if the catalogue has them, else its code's (shared area first). */
const keyOf = (code: string, reason?: string): MessageKey | null =>
  firstKey(PREFIXES.flatMap((prefix) => [...(reason ? [`${prefix}.${code}.${reason}`] : []), `${prefix}.${code}`]));
/** A field error's reason's words only (no fallback to the code: the field error keeps its own message then). */
const reasonKeyOf = (code: string, reason: string): MessageKey | null => firstKey(PREFIXES.map((prefix) => `${prefix}.${code}.${reason}`));

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const WEEKDAYS: MessageKey[] = ['svc.wd.0', 'svc.wd.1', 'svc.wd.2', 'svc.wd.3', 'svc.wd.4', 'svc.wd.5', 'svc.wd.6'];

/**
 * Values as the page shows them: a value named `…Day` holding a day (YYYY-MM-DD) is that day with
 * its weekday in the page's language ("Thứ Hai 02/12/2030", "Monday 02/12/2030").
 */
function shown(locale: Locale, params: Params | undefined): Params | undefined {
  if (!params) return params;
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] =
      k.endsWith('Day') && typeof v === 'string' && ISO_DAY.test(v) ? `${t(locale, WEEKDAYS[new Date(`${v}T00:00:00Z`).getUTCDay()]!)} ${formatDay(v)}` : v;
  }
  return out;
}

/**
 * A service error in the page's language, or null when the catalogue has no words for its code.
 * `params` adds values the page knows (e.g. the minutes of a ThrottledError's `retryAfter`).
 */
export function knownServiceText(locale: Locale, err: AppError, params?: Params): string | null {
  const r = reasonsOf(err);
  const key = keyOf(err.code, r.reason);
  return key ? t(locale, key, shown(locale, { ...r.params, ...params })) : null;
}

/** A service error in the page's language; the service's own words only for a code the catalogue does not know. */
export function serviceErrorText(locale: Locale, err: AppError, params?: Params): string {
  return knownServiceText(locale, err, params) ?? err.userMessage ?? err.message;
}

/** Field error `i` of a service error in the page's language (its reasons joined by "; "), or null when the catalogue has no words for it. */
export function serviceFieldText(locale: Locale, err: AppError, i: number): string | null {
  const parts = reasonsOf(err).reasons?.[i];
  if (!parts?.length) return null;
  const words = parts.map((p) => {
    const key = reasonKeyOf(err.code, p.reason);
    return key ? t(locale, key, shown(locale, p.params)) : null;
  });
  return words.every((w) => w !== null) ? words.join('; ') : null;
}

/**
 * A service error as errors next to the inputs they concern, in the page's language: a field
 * error with a form reason keeps it (errorText words it from `form.err.<reason>`), one with a
 * reason in the cause is worded from `svc.<CODE>.<reason>`, else its message; without field
 * errors, the error itself at `fallbackAnchor`.
 */
export function servicePageErrors(locale: Locale, err: AppError, anchorOf: (path: string) => string, fallbackAnchor: string): PageError[] {
  const list: FieldError[] = err.errors ?? [];
  if (!list.length) return [{ anchor: fallbackAnchor, message: serviceErrorText(locale, err) }];
  return list.map((e, i) =>
    e.reason
      ? { anchor: anchorOf(e.path), message: e.message, reason: e.reason, params: e.params }
      : { anchor: anchorOf(e.path), message: serviceFieldText(locale, err, i) ?? e.message },
  );
}

/**
 * The notice of an action a dossier's state refused (409), for the officers' and the applicant's
 * dossier pages: the page's own "not possible in the current status" unless the service said more
 * (the fee-less payment request, a concurrent change).
 */
export function dossierConflictText(locale: Locale, err: AppError): string {
  const more = err.code !== 'DOSSIER_TRANSITION_NOT_ALLOWED' || reasonsOf(err).reason !== undefined;
  return (more ? knownServiceText(locale, err) : null) ?? t(locale, 'staff.dv.conflict');
}
