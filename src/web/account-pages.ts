import type { SessionInfo } from '../modules/identity/sessions.service.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import type { MessageKey } from './i18n.ts';
import { csrfField, layout, tr, type PageCtx } from './layout.ts';

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

function codeField(p: PageCtx, error: string | undefined, hintKey: MessageKey | null): SafeHtml {
  const _ = tr(p);
  const described = [hintKey ? 'code-hint' : '', error ? 'code-error' : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}"><label for="code">${_('acct.code')}</label>
${hintKey ? html`<p class="hint" id="code-hint">${_(hintKey)}</p>` : null}
${error ? html`<p class="error-message" id="code-error">${error}</p>` : null}
<input type="text" id="code" name="code" inputmode="${hintKey === 'acct.mfaRecoveryHint' ? 'text' : 'numeric'}" autocomplete="one-time-code" spellcheck="false" autocapitalize="none" maxlength="20"${described ? html` aria-describedby="${described}"` : null}${error ? html` aria-invalid="true"` : null}></div>`;
}

function errorSummary(p: PageCtx, error: string | undefined): SafeHtml | null {
  if (!error) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1"><h2 id="err-title">${tr(p)('error.summaryTitle')}</h2>
<ul><li><a href="#code">${error}</a></li></ul></div>`;
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

export interface AccountView {
  sessions: SessionInfo[];
  totp: { enrolled: boolean; confirmedAt: Date | null; recoveryCodesLeft: number; required: boolean };
  currentMethod: string | null;
  notice?: string | undefined;
  /** Enrolment in progress on this page. */
  enrolment?: EnrolmentShown | undefined;
  /** Which code form failed, and why. */
  error?: { form: 'confirm' | 'codes' | 'disable'; message: string } | undefined;
}

const when = (d: Date | null, fallback: string) => (d ? formatVnDateTime(d) : fallback);

/** The account page: open sessions with sign-out buttons, and two-step verification. */
export function accountPage(p: PageCtx, v: AccountView): string {
  const _ = tr(p);
  const methodWords = (m: string) => _(`acct.method.${m}` as MessageKey);
  const others = v.sessions.filter((s) => !s.current).length;
  const errorFor = (form: 'confirm' | 'codes' | 'disable') => (v.error?.form === form ? v.error.message : undefined);
  const codeForm = (action: string, form: 'confirm' | 'codes' | 'disable', hint: MessageKey | null, button: MessageKey, cls = '') =>
    html`<form method="post" action="${action}" novalidate>${csrfField(p)}${codeField(p, errorFor(form), hint)}<button type="submit"${cls ? html` class="${cls}"` : null}>${_(button)}</button></form>`;
  const mfa = v.totp.enrolled
    ? html`<p>${_('acct.mfaOn', { time: when(v.totp.confirmedAt, _('acct.unknown')), n: v.totp.recoveryCodesLeft })}</p>
${v.totp.required ? html`<p>${_('acct.mfaRequired')}</p>` : null}
<h3>${_('acct.mfaNewCodes')}</h3>
${codeForm('/tai-khoan/xac-thuc-hai-buoc/ma-khoi-phuc', 'codes', 'acct.mfaNewCodesHint', 'acct.mfaNewCodes', 'secondary')}
${v.totp.required ? null : html`<h3>${_('acct.mfaDisable')}</h3>${codeForm('/tai-khoan/xac-thuc-hai-buoc/tat', 'disable', 'acct.mfaDisableHint', 'acct.mfaDisable', 'secondary')}`}`
    : v.enrolment
      ? html`<p>${_('acct.enrolLead')}</p>${enrolmentBlock(p, v.enrolment)}
${codeForm('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', 'confirm', null, 'acct.mfaConfirm')}`
      : html`<p>${_('acct.mfaOff')}</p>${v.totp.required ? html`<p>${_('acct.mfaRequired')}</p>` : null}
${v.currentMethod === 'vneid' ? html`<p>${_('acct.mfaNotAvailableVneid')}</p>` : null}
<form method="post" action="/tai-khoan/xac-thuc-hai-buoc">${csrfField(p)}<button type="submit">${_('acct.mfaStart')}</button></form>`;

  return layout(
    p,
    _('acct.title'),
    html`${v.error ? errorSummary(p, v.error.message) : null}
${v.notice ? html`<div class="notice" role="status"><p>${v.notice}</p></div>` : null}
<h1>${_('acct.title')}</h1>
<h2>${_('acct.sessionsTitle')}</h2>
<p>${_('acct.sessionsLead')}</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${_('acct.sessionStarted')}</th><th scope="col">${_('acct.sessionLastSeen')}</th><th scope="col">${_('acct.sessionMethod')}</th><th scope="col">${_('acct.sessionAddress')}</th><th scope="col">${_('acct.sessionDevice')}</th><th scope="col"><span class="visually-hidden">${_('acct.sessionRevoke')}</span></th></tr></thead>
<tbody>${v.sessions.map(
      (s) => html`<tr><td>${formatVnDateTime(s.createdAt)}</td><td>${when(s.lastSeenAt, _('acct.unknown'))}</td><td>${methodWords(s.method)}</td><td>${s.ip ?? _('acct.unknown')}</td><td>${s.userAgent ?? _('acct.unknown')}</td>
<td>${s.current ? html`<strong>${_('acct.sessionCurrent')}</strong>` : null}<form method="post" action="/tai-khoan/phien/${s.id}/dang-xuat">${csrfField(p)}<button type="submit" class="secondary">${_('acct.sessionRevoke')}<span class="visually-hidden"> — ${_('acct.sessionRevokeLabel', { time: formatVnDateTime(s.createdAt) })}</span></button></form></td></tr>`,
    )}</tbody></table></div>
${others ? html`<form method="post" action="/tai-khoan/phien/dang-xuat-khac">${csrfField(p)}<button type="submit" class="secondary">${_('acct.sessionRevokeOthers')}</button></form>` : null}
<h2>${_('acct.mfaSection')}</h2>
${mfa}`,
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
export function signInErrorPage(p: PageCtx, message: string, next: string): string {
  const _ = tr(p);
  return layout(p, _('error.title'), html`<h1>${_('error.title')}</h1><p>${message}</p><p><a href="/dang-nhap?next=${encodeURIComponent(next)}">${_('acct.backToLogin')}</a></p>`);
}
