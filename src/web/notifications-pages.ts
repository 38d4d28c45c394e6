import type { InboxItem } from '../modules/notifications/index.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import { formatNumber } from './i18n.ts';
import { csrfField, layout, tr, vi, viAttr, type PageCtx } from './layout.ts';

export const NOTIFICATIONS_PAGE_SIZE = 20;

export interface NotificationsView {
  items: InboxItem[];
  total: number;
  unread: number;
  page: number;
  notice?: string | undefined;
}

/** Where a notification leads: the citizen's page of their own dossier, else the officers' page. */
export function dossierHrefOf(n: Pick<InboxItem, 'dossierId' | 'dossierCode' | 'isApplicant'>): string | null {
  if (!n.dossierId) return null;
  return n.isApplicant ? `/ho-so/${n.dossierId}` : `/can-bo/ho-so/${encodeURIComponent(n.dossierCode ?? n.dossierId)}`;
}

/** A notification's title and body come from the Vietnamese templates (notifications.templates.ts): marked lang="vi" on an English page. */
function item(p: PageCtx, n: InboxItem, page: number): SafeHtml {
  const _ = tr(p);
  const isUnread = n.readAt === null;
  const href = dossierHrefOf(n);
  // Opening goes through a POST that marks the notification read, then on to the dossier: no script needed.
  const open = href
    ? html`<form method="post" action="/thong-bao/${n.id}/doc">${csrfField(p)}<input type="hidden" name="trang" value="${page}"><button class="link" type="submit">${_('notif.open', { code: n.dossierCode ?? '' })}</button></form>`
    : isUnread
      ? html`<form method="post" action="/thong-bao/${n.id}/doc">${csrfField(p)}<input type="hidden" name="trang" value="${page}"><button class="link" type="submit">${_('notif.markRead')}</button></form>`
      : null;
  return html`<li${isUnread ? html` class="unread"` : null}>
<p>${isUnread ? html`<span class="tag">${_('notif.unread')}</span> <strong${viAttr(p)}>${n.title}</strong>` : vi(p, n.title)}</p>
<p${viAttr(p)}>${n.body}</p>
<p class="meta"><time datetime="${n.createdAt.toISOString()}">${_('notif.at', { at: formatVnDateTime(n.createdAt) })}</time></p>
${open}
</li>`;
}

/** `/thong-bao`: the signed-in person's notifications, newest first, paged; unread ones marked. */
export function notificationsPage(p: PageCtx, v: NotificationsView): string {
  const _ = tr(p);
  const pages = Math.max(1, Math.ceil(v.total / NOTIFICATIONS_PAGE_SIZE));
  const pageHref = (n: number) => (n === 1 ? '/thong-bao' : `/thong-bao?trang=${n}`);
  return layout(
    p,
    _('notif.title'),
    html`<h1>${_('notif.title')}</h1>
<p class="lead">${_('notif.lead')}</p>
${v.notice ? html`<div class="notice" role="status">${v.notice}</div>` : null}
${
  v.total === 0
    ? html`<p>${_('notif.none')}</p>`
    : html`<p>${_('notif.count', { n: formatNumber(p.locale, v.total), unread: formatNumber(p.locale, v.unread) })}</p>
${v.unread > 0 ? html`<form method="post" action="/thong-bao/doc-tat-ca">${csrfField(p)}<button class="secondary" type="submit">${_('notif.markAll')}</button></form>` : null}
<ul class="results">${v.items.map((n) => item(p, n, v.page))}</ul>`
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="${_('search.pagination')}">
${v.page > 1 ? html`<a href="${pageHref(v.page - 1)}" rel="prev">${_('search.prev')}</a>` : html`<span></span>`}
<span>${_('search.page', { page: formatNumber(p.locale, v.page), pages: formatNumber(p.locale, pages) })}</span>
${v.page < pages ? html`<a href="${pageHref(v.page + 1)}" rel="next">${_('search.next')}</a>` : html`<span></span>`}
</nav>`
    : null
}`,
  );
}
