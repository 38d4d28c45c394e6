import { html, type HtmlValue, type SafeHtml } from './html.ts';
import { UNREAD_COUNT_CAP } from '../modules/notifications/index.ts';
import { REVIEWERS } from '../platform/access.ts';
import { t, type Locale, type MessageKey } from './i18n.ts';
import { PORTAL_JS_PATH } from './portal-js.ts';
import { SIGN_IN_PATH, signInPath } from './sign-in.ts';
import { FAVICON_PATH } from './favicon.ts';
import { SITE_CSS_PATH } from './site-css.ts';

/** What every page needs to know about the request. */
export interface PageCtx {
  locale: Locale;
  /** The signed-in user's name, or null. */
  userName: string | null;
  /** The CSRF token for forms on this page (the sign-out form when signed in). */
  csrf: string | null;
  /** The current path and query, for the language switch to come back to. */
  path: string;
  /** The signed-in user's role names (`reception`, `leader`, `admin`...), for the navigation. */
  roles?: readonly string[] | undefined;
  /** The signed-in user's unread notifications (counted on page views; absent: the link shows no count). */
  unread?: number | undefined;
}

interface NavLink {
  href: string;
  key: MessageKey;
}

/** The roles that review payments, as the API's (`REVIEWERS`): the payments page (finance.routes.ts) and its link. */
export const PAYMENT_REVIEW_ROLES: readonly string[] = REVIEWERS;

/**
 * The links a user sees besides the public ones, by role: officers get their worklist (and the
 * desk its counter intake), leaders and administrators the dashboard and reports, payment
 * reviewers the payments page, administrators the administration pages, the security team its own page.
 */
export function roleLinks(roles: readonly string[]): NavLink[] {
  const has = (...r: string[]) => roles.some((x) => r.includes(x));
  const links: NavLink[] = [];
  if (has('reception', 'specialist', 'leader')) links.push({ href: '/can-bo/ho-so', key: 'staff.nav.worklist' });
  if (has('reception')) links.push({ href: '/can-bo/tiep-nhan', key: 'staff.nav.intake' });
  if (has('leader', 'admin')) links.push({ href: '/bang-dieu-khien', key: 'staff.nav.dashboard' }, { href: '/bao-cao', key: 'staff.nav.reports' });
  if (has(...PAYMENT_REVIEW_ROLES)) links.push({ href: '/can-bo/thanh-toan', key: 'fin.nav' });
  if (has('admin')) links.push({ href: '/quan-tri', key: 'staff.nav.admin' });
  if (has('security')) links.push({ href: '/an-ninh', key: 'staff.nav.security' });
  return links;
}

/** The current page's nav link is marked for screen readers and styled. */
function navItem(p: PageCtx, href: string, label: string) {
  const base = p.path.split('?')[0] ?? p.path;
  const current = href === '/' ? base === '/' : base === href || base.startsWith(`${href}/`);
  return html`<li><a${current ? html` aria-current="page"` : null} href="${href}">${label}</a></li>`;
}

/** A bound translator for one page. */
export const tr =
  (p: PageCtx) =>
  (key: MessageKey, params?: Record<string, string | number>): string =>
    t(p.locale, key, params);

/**
 * Words from the data (the procedure catalogue, agency and unit names, what people typed, people's
 * names) are Vietnamese: on an English page they are marked so screen readers read them as such
 * (WCAG 3.1.2). `vi` wraps the text in `<span lang="vi">`; `viAttr` is the attribute, for an
 * element whose whole content is such data (`<option>`, `<dt>`, `<dd>`, a note, an input or text
 * area holding it, an SVG `<text>`), where a span cannot go or would be noise. Both leave a
 * Vietnamese page as it is (its `<html lang="vi">` says it).
 */
export const vi = (p: PageCtx, text: string): SafeHtml | string => (p.locale === 'vi' ? text : html`<span lang="vi">${text}</span>`);
export const viAttr = (p: PageCtx): SafeHtml | null => (p.locale === 'vi' ? null : html` lang="vi"`);

/**
 * The message `key` in the page's language with its `{name}` parameters filled with markup: text
 * is escaped, `SafeHtml` kept (a Vietnamese name marked `lang="vi"` inside an English sentence).
 */
export function messageHtml(p: PageCtx, key: MessageKey, params: Record<string, HtmlValue>): SafeHtml {
  const parts = t(p.locale, key).split(/\{(\w+)\}/);
  // Odd parts are parameter names; one not given stays as written, as `t` leaves it.
  return html`${parts.map((part, i) => (i % 2 === 0 ? part : Object.hasOwn(params, part) ? params[part] : `{${part}}`))}`;
}

/**
 * The content of a link or button whose accessible name holds Vietnamese data ("Remove the file
 * {name}"). An `aria-label` cannot mark part of itself `lang="vi"`, so the short visible words are
 * hidden from screen readers and the whole message, its data marked (`messageHtml`), is read in
 * their place.
 */
export function nameWithData(p: PageCtx, visible: string | SafeHtml, key: MessageKey, params: Record<string, HtmlValue>): SafeHtml {
  return html`<span aria-hidden="true">${visible}</span><span class="visually-hidden">${messageHtml(p, key, params)}</span>`;
}

/**
 * A table that may scroll sideways on a narrow screen: a named region keyboard users can reach
 * and scroll with the arrow keys (WCAG 2.1.1; axe "scrollable-region-focusable").
 */
export function scrollTable(label: string, table: SafeHtml): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}

export function csrfField(p: PageCtx): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${p.csrf ?? ''}">`;
}

/** Sign-in comes back to the current page (but not to the sign-in page itself). */
const signInHref = (path: string) => (path === '/' || path.startsWith(SIGN_IN_PATH) ? SIGN_IN_PATH : signInPath(path));

/** The GOV.UK-like page shell: skip link, header, navigation, main, footer. One deferred script that only improves (portal-js.ts). */
export function layout(p: PageCtx, title: string, body: SafeHtml): string {
  const _ = tr(p);
  const other: Locale = p.locale === 'vi' ? 'en' : 'vi';
  const langHref = `/lang?to=${other}&back=${encodeURIComponent(p.path)}`;
  const unread = p.unread
    ? html` <span aria-hidden="true">(${p.unread > UNREAD_COUNT_CAP ? `${UNREAD_COUNT_CAP}+` : p.unread})</span><span class="visually-hidden">: ${_('notif.navUnread', { n: p.unread > UNREAD_COUNT_CAP ? `${UNREAD_COUNT_CAP}+` : p.unread })}</span>`
    : null;
  const auth = p.userName
    ? html`<li><a href="/thong-bao"${p.path.split('?')[0] === '/thong-bao' ? html` aria-current="page"` : null}>${_('notif.nav')}${unread}</a></li>
        <li><a href="/tai-khoan"${p.path.split('?')[0] === '/tai-khoan' ? html` aria-current="page"` : null}>${messageHtml(p, 'auth.signedInAs', { name: vi(p, p.userName) })}</a></li>
        <li><form method="post" action="/dang-xuat">${csrfField(p)}<button class="linkbtn" type="submit">${_('auth.signOut')}</button></form></li>`
    : html`<li><a href="${signInHref(p.path)}">${_('auth.signIn')}</a></li>`;
  return `<!doctype html>${
    html`<html lang="${p.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${_('site.name')}</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${SITE_CSS_PATH}">
<script src="${PORTAL_JS_PATH}" defer></script>
</head>
<body>
<a class="skip" href="#main">${_('site.skip')}</a>
<header class="site"><div class="wrap">
<a class="brand" href="/">${_('site.name')}</a>
<ul class="tools">
<li><a href="${langHref}" hreflang="${other}" lang="${other}" aria-label="${_('lang.switchLabel')}">${_('lang.switch')}</a></li>
${auth}
</ul>
</div></header>
<nav class="main" aria-label="${_('nav.label')}"><div class="wrap"><ul>
${navItem(p, '/', _('nav.home'))}
${navItem(p, '/thu-tuc', _('nav.procedures'))}
${navItem(p, '/tra-cuu', _('nav.lookup'))}
${p.userName ? navItem(p, '/ho-so', _('nav.myDossiers')) : null}
${p.userName ? roleLinks(p.roles ?? []).map((l) => navItem(p, l.href, _(l.key))) : null}
</ul></div></nav>
<div class="wrap"><main id="main" tabindex="-1">
${body}
</main></div>
<footer class="site"><div class="wrap"><p>${_('site.footer')}</p><p>${_('site.footerHelp')}</p></div></footer>
</body>
</html>`.value
  }`;
}
