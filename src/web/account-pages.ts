import type { SessionInfo } from '../modules/identity/sessions.service.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import type { MessageKey } from './i18n.ts';
import { csrfField, layout, tr, vi, viAttr, type PageCtx } from './layout.ts';

/** Pages of the second sign-in step, recovery codes, and the account page (`/tai-khoan`). */

export interface EnrolmentShown {
  qrSvg: string;
  secret: string;
}

const qrImage = (p: PageCtx, svg: string) =>
  html`<p><img class="qr" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" alt="${tr(p)('acct.enrolQrAlt')}" width="200" height="200"></p>`;

/** The secret in groups of four, easier to type. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

function enrolmentBlock(p: PageCtx, e: EnrolmentShown): SafeHtml {
  const _ = tr(p);
  return html`${qrImage(p, e.qrSvg)}
<p>${_('acct.enrolManual')} <code>${grouped(e.secret)}</code></p>`;
}

/** A code input; `id` differs per form, as the account page can hold two code forms at once. */
function codeField(p: PageCtx, error: string | undefined, hintKey: MessageKey | null, id = 'code'): SafeHtml {
  const _ = tr(p);
  const described = [hintKey ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}"><label for="${id}">${_('acct.code')}</label>
${hintKey ? html`<p class="hint" id="${id}-hint">${_(hintKey)}</p>` : null}
${error ? html`<p class="error-message" id="${id}-error">${error}</p>` : null}
<input type="text" id="${id}" name="code" inputmode="${hintKey === 'acct.mfaRecoveryHint' ? 'text' : 'numeric'}" autocomplete="one-time-code" spellcheck="false" autocapitalize="none" maxlength="20"${described ? html` aria-describedby="${described}"` : null}${error ? html` aria-invalid="true"` : null}></div>`;
}

function errorSummary(p: PageCtx, error: string | undefined, field = 'code'): SafeHtml | null {
  if (!error) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${tr(p)('error.summaryTitle')}</h2>
<ul><li><a href="#${field}">${error}</a></li></ul></div>`;
}

/** The second step of a password sign-in: a TOTP code, or enrolment first. */
export function secondStepPage(p: PageCtx, v: { next: string; enrolment: EnrolmentShown | null; error?: string | undefined }): string {
  const _ = tr(p);
  const title = v.enrolment ? _('acct.enrolTitle') : _('acct.mfaTitle');
  return layout(
    p,
    title,
    html`${errorSummary(p, v.error)}
<h1>${title}</h1>
${v.enrolment ? html`<p>${_('acct.enrolLead')}</p>${enrolmentBlock(p, v.enrolment)}` : html`<p>${_('acct.mfaLead')}</p>`}
<form method="post" action="/dang-nhap/xac-thuc" novalidate>
${csrfField(p)}
<input type="hidden" name="next" value="${v.next}">
${codeField(p, v.error, v.enrolment ? null : 'acct.mfaRecoveryHint')}
<button type="submit">${_('acct.verify')}</button>
</form>
<p><a href="/dang-nhap">${_('acct.backToLogin')}</a></p>`,
  );
}

/** Recovery codes, shown once after enrolment or regeneration. */
export function recoveryCodesPage(p: PageCtx, v: { codes: string[]; next: string }): string {
  const _ = tr(p);
  return layout(
    p,
    _('acct.recoveryTitle'),
    html`<div class="notice" role="status"><p>${_('acct.mfaEnabled')}</p></div>
<h1>${_('acct.recoveryTitle')}</h1>
<p>${_('acct.recoveryLead')}</p>
<ul class="codes">${v.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a class="button" href="${v.next}">${_('acct.continue')}</a></p>`,
  );
}

/** A personal-data request as the account page lists it. */
export interface DataRequestShown {
  kind: 'correction' | 'deletion';
  status: 'open' | 'done' | 'rejected';
  details: string;
  createdAt: string;
  resolution: string | null;
}

/** The longest correction request the API takes (privacy.routes.ts). */
export const CORRECTION_MAX = 4000;
/** The limit as people write it: 4.000 in Vietnamese, 4,000 in English. */
export const correctionMaxText = (locale: string) => (locale === 'vi' ? '4.000' : '4,000');

export interface AccountView {
  sessions: SessionInfo[];
  /** The person's own personal-data requests, newest first. */
  dataRequests?: DataRequestShown[] | undefined;
  /** The correction text sent back with its error. */
  correction?: string | undefined;
  totp: { enrolled: boolean; confirmedAt: Date | null; recoveryCodesLeft: number; required: boolean };
  currentMethod: string | null;
  notice?: string | undefined;
  /** Enrolment in progress on this page. */
  enrolment?: EnrolmentShown | undefined;
  /** Which form failed, and why. */
  error?: { form: 'confirm' | 'codes' | 'disable' | 'correction' | 'deletion'; message: string } | undefined;
  /** Staff accounts are closed by an administrator: no deletion form. */
  isStaff?: boolean | undefined;
  /** The person's answer on SMS notifications (consents.service: no answer = not granted). */
  smsConsent?: { granted: boolean; at: string | null } | undefined;
}

const when = (d: Date | null, fallback: string) => (d ? formatVnDateTime(d) : fallback);

/**
 * A short name for a session's browser and system ("Chrome trên Android") so a person can tell
 * their devices apart at a glance; the raw user agent (shortened) when it is not recognised.
 */
export function deviceOf(userAgent: string | null, unknown: string): string {
  if (!userAgent) return unknown;
  const browser = /\bEdg(?:e|A|iOS)?\//.test(userAgent)
    ? 'Edge'
    : /\b(?:Firefox|FxiOS)\//.test(userAgent)
      ? 'Firefox'
      : /\bOPR\//.test(userAgent)
        ? 'Opera'
        : /\bCocCoc\//.test(userAgent)
          ? 'Cốc Cốc'
          : /\b(?:Chrome|CriOS|Chromium|HeadlessChrome)\//.test(userAgent)
            ? 'Chrome'
            : /\bVersion\/[\d.]+.*Safari\//.test(userAgent)
              ? 'Safari'
              : null;
  const system = /\bAndroid\b/.test(userAgent)
    ? 'Android'
    : /\b(?:iPhone|iPad|iPod)\b/.test(userAgent)
      ? 'iOS'
      : /\bWindows\b/.test(userAgent)
        ? 'Windows'
        : /\bMac OS X\b/.test(userAgent)
          ? 'macOS'
          : /\bLinux\b/.test(userAgent)
            ? 'Linux'
            : null;
  if (browser && system) return `${browser} — ${system}`;
  return browser ?? system ?? (userAgent.length > 60 ? `${userAgent.slice(0, 60)}…` : userAgent);
}

/** The account page: open sessions with sign-out buttons, and two-step verification. */
export function accountPage(p: PageCtx, v: AccountView): string {
  const _ = tr(p);
  const methodWords = (m: string) => _(`acct.method.${m}` as MessageKey);
  const others = v.sessions.filter((s) => !s.current).length;
  const errorFor = (form: 'confirm' | 'codes' | 'disable' | 'correction' | 'deletion') => (v.error?.form === form ? v.error.message : undefined);
  const codeForm = (action: string, form: 'confirm' | 'codes' | 'disable', hint: MessageKey | null, button: MessageKey, cls = '') =>
    html`<form method="post" action="${action}" novalidate>${csrfField(p)}${codeField(p, errorFor(form), hint, `code-${form}`)}<button type="submit"${cls ? html` class="${cls}"` : null}>${_(button)}</button></form>`;
  const mfa = v.totp.enrolled
    ? html`<p>${_('acct.mfaOn', { time: when(v.totp.confirmedAt, _('acct.unknown')), n: v.totp.recoveryCodesLeft })}</p>
${v.totp.required ? html`<p>${_('acct.mfaRequired')}</p>` : null}
<h3>${_('acct.mfaNewCodes')}</h3>
${codeForm('/tai-khoan/xac-thuc-hai-buoc/ma-khoi-phuc', 'codes', 'acct.mfaNewCodesHint', 'acct.mfaNewCodes', 'secondary')}
${v.totp.required ? null : html`<h3>${_('acct.mfaDisable')}</h3>${codeForm('/tai-khoan/xac-thuc-hai-buoc/tat', 'disable', 'acct.mfaDisableHint', 'acct.mfaDisable', 'secondary')}`}`
    : v.enrolment
      ? html`<p>${_('acct.mfaOff')}</p><p><a href="#bat-xac-thuc">${_('acct.enrolGoTo')}</a></p>`
      : html`<p>${_('acct.mfaOff')}</p>${v.totp.required ? html`<p>${_('acct.mfaRequired')}</p>` : null}
${v.currentMethod === 'vneid' ? html`<p>${_('acct.mfaNotAvailableVneid')}</p>` : null}
<form method="post" action="/tai-khoan/xac-thuc-hai-buoc">${csrfField(p)}<button type="submit">${_('acct.mfaStart')}</button></form>`;

  // Enrolment under way (after "Bật xác thực hai bước", or a wrong first code): the QR code and
  // the code field open the page, where the person lands, instead of below the list of sessions.
  // Its heading takes the focus unless an error summary does.
  const enrolment = v.enrolment
    ? html`<section class="action" id="bat-xac-thuc" aria-labelledby="h-enrol">
<h2 id="h-enrol"${v.error ? null : html` tabindex="-1" autofocus`}>${_('acct.enrolTitle')}</h2>
<p>${_(v.totp.required ? 'acct.enrolLead' : 'acct.enrolLeadOptional')}</p>${enrolmentBlock(p, v.enrolment)}
${codeForm('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', 'confirm', null, 'acct.mfaConfirm')}</section>`
    : null;

  return layout(
    p,
    _('acct.title'),
    html`${v.error ? errorSummary(p, v.error.message, v.error.form === 'correction' ? 'correction-details' : v.error.form === 'deletion' ? 'deletion-confirm' : `code-${v.error.form}`) : null}
${v.notice ? html`<div class="notice" role="status"><p>${v.notice}</p></div>` : null}
<h1>${_('acct.title')}</h1>
${enrolment}
<h2>${_('acct.sessionsTitle')}</h2>
<p>${_('acct.sessionsLead')}</p>
<ul class="sessions">${v.sessions.map(
      (s) => html`<li${s.current ? html` class="current"` : null}>
<p class="session-device"><strong>${deviceOf(s.userAgent, _('acct.unknown'))}</strong>${s.current ? html` <span class="tag">${_('acct.sessionCurrent')}</span>` : null}</p>
<dl class="session-facts"><div><dt>${_('acct.sessionStarted')}</dt><dd>${formatVnDateTime(s.createdAt)}</dd></div><div><dt>${_('acct.sessionLastSeen')}</dt><dd>${when(s.lastSeenAt, _('acct.unknown'))}</dd></div><div><dt>${_('acct.sessionMethod')}</dt><dd>${methodWords(s.method)}</dd></div><div><dt>${_('acct.sessionAddress')}</dt><dd>${s.ip ?? _('acct.unknown')}</dd></div></dl>
<form method="post" action="/tai-khoan/phien/${s.id}/dang-xuat">${csrfField(p)}<button type="submit" class="secondary">${_('acct.sessionRevoke')}<span class="visually-hidden"> — ${_('acct.sessionRevokeLabel', { time: formatVnDateTime(s.createdAt) })}</span></button></form></li>`,
    )}</ul>
${others ? html`<form method="post" action="/tai-khoan/phien/dang-xuat-khac">${csrfField(p)}<button type="submit" class="secondary">${_('acct.sessionRevokeOthers')}</button></form>` : null}
<h2>${_('acct.mfaSection')}</h2>
${mfa}
${v.smsConsent ? smsConsentForm(p, v.smsConsent) : null}
${personalData(p, v, errorFor('correction'))}
${v.isStaff ? html`<h3>${_('acct.deleteTitle')}</h3><p>${_('acct.deleteStaff')}</p>` : deletionForm(p, errorFor('deletion'))}`,
  );
}

/** Consent to SMS notifications (docs/NOTIFICATIONS.md, Consent): what it means, the current answer, a box to change it. */
function smsConsentForm(p: PageCtx, c: { granted: boolean; at: string | null }): SafeHtml {
  const _ = tr(p);
  return html`<h2 id="thong-bao-sms">${_('notif.smsTitle')}</h2>
<p id="sms-consent-hint">${_('notif.smsExplain')}</p>
<p>${c.granted ? _('notif.smsGranted', { at: c.at ? formatVnDateTime(new Date(c.at)) : _('acct.unknown') }) : _('notif.smsNotGranted')}</p>
<form method="post" action="/tai-khoan/dong-y-sms">${csrfField(p)}
<div class="field"><div class="check"><input type="checkbox" id="sms-consent" name="granted" value="on" aria-describedby="sms-consent-hint"${c.granted ? html` checked` : null}> <label for="sms-consent">${_('notif.smsLabel')}</label></div></div>
<button type="submit" class="secondary">${_('notif.smsSave')}</button></form>`;
}

/** "My personal data": the export download, a correction request form, and the requests sent. */
function personalData(p: PageCtx, v: AccountView, error: string | undefined): SafeHtml {
  const _ = tr(p);
  const requests = v.dataRequests ?? [];
  const described = ['correction-hint', error ? 'correction-error' : ''].filter(Boolean).join(' ');
  return html`<h2 id="du-lieu">${_('acct.dataSection')}</h2>
<p>${_('acct.dataLead')}</p>
<p><a class="button secondary" href="/tai-khoan/du-lieu-ca-nhan" download>${_('acct.dataDownload')}</a></p>
<p class="hint">${_('acct.dataDownloadHint')}</p>
<h3>${_('acct.correctionTitle')}</h3>
<form method="post" action="/tai-khoan/yeu-cau-dinh-chinh" novalidate>${csrfField(p)}
<div class="field${error ? ' field-error' : ''}"><label for="correction-details">${_('acct.correctionLabel')}</label>
<p class="hint" id="correction-hint">${_('acct.correctionHint', { max: correctionMaxText(p.locale) })}</p>
${error ? html`<p class="error-message" id="correction-error">${error}</p>` : null}
<textarea id="correction-details" name="details" rows="4" maxlength="${CORRECTION_MAX}" aria-describedby="${described}"${error ? html` aria-invalid="true"` : null}${viAttr(p)}>${v.correction ?? ''}</textarea></div>
<button type="submit">${_('acct.correctionSend')}</button></form>
${
  requests.length
    ? html`<h3>${_('acct.requestsTitle')}</h3>
<ul class="data-requests">${requests.map(
        (
          r,
        ) => html`<li><p><strong>${_(`acct.reqKind.${r.kind}`)}</strong>, ${formatVnDateTime(new Date(r.createdAt))}: <span class="status status-${r.status}">${_(`acct.reqStatus.${r.status}`)}</span></p>
${r.details ? html`<p class="request-details"${viAttr(p)}>${r.details}</p>` : null}${r.resolution ? html`<p>${_('acct.reqResolution')} ${vi(p, r.resolution)}</p>` : null}</li>`,
      )}</ul>`
    : null
}`;
}

/**
 * "Delete my data" (citizens and organisations): what goes, what the law keeps, and a box to tick,
 * so one click never deletes by mistake. Carried out at once (privacy.service deleteMyData).
 */
function deletionForm(p: PageCtx, error: string | undefined): SafeHtml {
  const _ = tr(p);
  return html`<h3 id="xoa">${_('acct.deleteTitle')}</h3>
<p>${_('acct.deleteLead')}</p>
<ul><li>${_('acct.deleteGoes')}</li><li>${_('acct.deleteKept')}</li></ul>
<form method="post" action="/tai-khoan/xoa-du-lieu" novalidate>${csrfField(p)}
<div class="field${error ? ' field-error' : ''}">${error ? html`<p class="error-message" id="deletion-error">${error}</p>` : null}
<div class="check"><input type="checkbox" id="deletion-confirm" name="confirm" value="on"${error ? html` aria-invalid="true" aria-describedby="deletion-error"` : null}> <label for="deletion-confirm">${_('acct.deleteConfirm')}</label></div></div>
<div class="field"><label for="deletion-details">${_('acct.deleteReason')}</label>
<textarea id="deletion-details" name="details" rows="2" maxlength="${CORRECTION_MAX}"></textarea></div>
<button type="submit" class="warning">${_('acct.deleteButton')}</button></form>`;
}

/** What deletion did, category by category (the person is signed out by then). */
export function deletionDonePage(
  p: PageCtx,
  categories: { category: string; action: 'deleted' | 'anonymised' | 'kept'; count: number; reason: string }[],
): string {
  const _ = tr(p);
  return layout(
    p,
    _('acct.deletedTitle'),
    html`<h1>${_('acct.deletedTitle')}</h1>
<p class="lead">${_('acct.deletedLead')}</p>
<ul class="data-outcome">${categories.map(
      (c) => html`<li><p><strong>${c.category}</strong>: <span class="status">${_(`acct.deleted.${c.action}`)}</span> (${c.count})</p><p>${c.reason}</p></li>`,
    )}</ul>
<p><a href="/">${_('error.backHome')}</a></p>`,
  );
}

/** A readable page for a failed national-identity sign-in. */
export function oidcErrorPage(p: PageCtx, message: string, next: string): string {
  const _ = tr(p);
  return layout(
    p,
    _('acct.vneidErrorTitle'),
    html`<h1>${_('acct.vneidErrorTitle')}</h1>
<p>${message}</p>
<ul><li><a href="/auth/oidc/login?next=${encodeURIComponent(next)}">${_('acct.vneidRetry')}</a></li><li><a href="/dang-nhap?next=${encodeURIComponent(next)}">${_('acct.backToLogin')}</a></li></ul>`,
  );
}

/** A readable page for a locked account or a blocked address. */
export function lockedPage(p: PageCtx, message: string): string {
  const _ = tr(p);
  return layout(p, _('acct.lockedTitle'), html`<h1>${_('acct.lockedTitle')}</h1><p>${message}</p><p><a href="/">${_('error.backHome')}</a></p>`);
}

/** A short readable page (expired step, bad form token) with a way back to sign-in. */
export function signInErrorPage(p: PageCtx, message: string, next: string, titleKey: MessageKey = 'error.title'): string {
  const _ = tr(p);
  return layout(
    p,
    _(titleKey),
    html`<h1>${_(titleKey)}</h1><p>${message}</p><p><a href="/dang-nhap?next=${encodeURIComponent(next)}">${_('acct.backToLogin')}</a></p>`,
  );
}
