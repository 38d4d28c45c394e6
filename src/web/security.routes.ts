import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryRows, sql } from '../db/client.ts';
import { listSecurityEvents } from '../modules/security/index.ts';
import { hasRole } from '../platform/context.ts';
import { isRealDay } from '../platform/schemas.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { roleName } from './admin-pages.ts';
import type { WebHelpers } from './application.routes.ts';
import { html, type SafeHtml } from './html.ts';
import { formatNumber, t, type MessageKey } from './i18n.ts';
import { layout, messageHtml, tr, vi, type PageCtx } from './layout.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];
/** The monitoring rules (docs/SECURITY.md §3), in the order the filter offers them. */
const RULES: readonly string[] = [
  'auth.password_guessing',
  'auth.address_many_accounts',
  'staff.mass_read',
  'staff.export',
  'staff.off_hours',
  'admin.role_change',
  'audit.chain_broken',
];

const str = (v: unknown, max: number): string => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, max) : '';
};
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * The security officers' page `/an-ninh`: the security events, filtered by minimum severity and
 * start date (a GET form, works without JavaScript), and how far the monitor has read the audit
 * chain. Security officers and administrators only.
 */
export function registerSecurityRoutes(app: FastifyInstance, h: WebHelpers): void {
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!req.actor) {
      await redirectToSignIn(req, reply);
      return false;
    }
    if (!hasRole(req.actor, 'security') && !hasRole(req.actor, 'admin')) {
      const p = h.pageCtx(req, reply);
      await h.send(reply, 403, errorPage(p, t(p.locale, 'error.title'), t(p.locale, 'sec.forbidden')));
      return false;
    }
    return true;
  };

  app.get('/an-ninh', { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const q = record(req.query);
    const sevIn = str(q['muc-do'], 10);
    const severity = (SEVERITIES as readonly string[]).includes(sevIn) ? (sevIn as Severity) : undefined;
    const ruleIn = str(q['quy-tac'], 40);
    const rule = RULES.includes(ruleIn) ? ruleIn : undefined;
    // Read past ten characters, so `2026-01-05junk` is refused rather than cut down to a real day.
    const fromIn = str(q['tu-ngay'], 40);
    // A real calendar date only: 2026-02-30 is refused like "abc", not rolled over to 2 March.
    const fromOk = isRealDay(fromIn);
    const fromBad = fromIn !== '' && !fromOk;
    const events = await listSecurityEvents(h.database.db, {
      ...(severity ? { severity } : {}),
      ...(fromOk ? { from: `${fromIn}T00:00:00+07:00` } : {}),
      ...(rule ? { rule } : {}),
      limit: 200,
    });
    const [state] = await queryRows<{ last_seq: number; updated_at: Date | string }>(
      h.database.db,
      sql`SELECT last_seq, updated_at FROM security_monitor_state WHERE name = 'audit'`,
    );
    const p = h.pageCtx(req, reply);
    const _ = tr(p);
    const ruleName = (r: string) => (`sec.rule.${r}` in SEC_RULE_KEYS ? _(SEC_RULE_KEYS[`sec.rule.${r}`]!) : r);
    const body = html`<h1>${_('sec.title')}</h1>
<p>${_('sec.lead')}</p>
<p>${state ? _('sec.chain', { seq: Number(state.last_seq), at: formatVnDateTime(new Date(state.updated_at)) }) : _('sec.chainNone')}</p>
<form method="get" action="/an-ninh" class="filters" aria-label="${_('sec.filter')}">
<div class="field"><label for="sec-sev">${_('sec.severity')}</label>
<select id="sec-sev" name="muc-do"><option value="">${_('sec.severityAll')}</option>${SEVERITIES.map(
      (s) => html`<option value="${s}"${s === severity ? html` selected` : null}>${_(`sec.sev.${s}`)}</option>`,
    )}</select></div>
<div class="field"><label for="sec-rule">${_('sec.colRule')}</label>
<select id="sec-rule" name="quy-tac"><option value="">${_('sec.ruleAll')}</option>${RULES.map(
      (r) => html`<option value="${r}"${r === rule ? html` selected` : null}>${ruleName(r)}</option>`,
    )}</select></div>
<div class="field${fromBad ? ' field-error' : ''}"><label for="sec-from">${_('sec.from')}</label><p class="hint" id="sec-from-hint">${_('sec.fromHint')}</p>${
      fromBad ? html`<p class="error-message" id="sec-from-error" role="alert">${_('sec.badFrom')}</p>` : null
    }
<input id="sec-from" name="tu-ngay" type="date" value="${fromIn}" aria-describedby="sec-from-hint${fromBad ? ' sec-from-error' : ''}"${
      fromBad ? html` aria-invalid="true"` : null
    }></div>
<button type="submit">${_('sec.apply')}</button>
</form>
<h2>${_('sec.count', { count: events.length })}</h2>
${
  events.length
    ? html`<ol class="sec-events">${events.map(
        (e) =>
          html`<li class="sev-${e.severity}"><h3>${ruleName(e.rule)}</h3>
<p><strong class="sev sev-${e.severity}">${_('sec.severityIs', { severity: _(`sec.sev.${e.severity}`) })}</strong></p>
<p class="sec-summary">${eventSummary(p, e)}</p>
<dl class="sec-facts"><div><dt>${_('sec.colTime')}</dt><dd>${formatVnDateTime(new Date(e.at))}</dd></div>${
            e.subject ? html`<div><dt>${_('sec.colSubject')}</dt><dd>${e.subject}</dd></div>` : null
          }<div><dt>${_('sec.colAddress')}</dt><dd>${e.ip ?? _('sec.unknown')}</dd></div></dl></li>`,
      )}</ol>`
    : html`<p>${_('sec.none')}</p>`
}`;
    // A start date that is not a real day: the page, unfiltered by date, with the error at the field.
    return h.send(reply, fromBad ? 422 : 200, layout(p, _('sec.title'), body));
  });
}

const CHAIN_REASON_KEYS: Record<string, MessageKey> = {
  hash_mismatch: 'sec.chainReason.hash_mismatch',
  sequence_gap: 'sec.chainReason.sequence_gap',
};

/** An event as the page shows it (the fields of `listSecurityEvents` it reads). */
export interface EventFacts {
  rule: string;
  subject: string | null;
  ip: string | null;
  summary: string;
  details: Record<string, unknown>;
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * What happened, in the page's language: the monitor stores a Vietnamese sentence (`summary`, read
 * by the notifications and the security log too) and the facts behind it (`rule`, `subject`, `ip`,
 * `details`); the page words those facts from its catalogue. A rule it does not know, or an event
 * whose facts are missing (written by an older monitor), keeps the stored sentence, marked
 * `lang="vi"` on an English page.
 */
export function eventSummary(p: PageCtx, e: EventFacts): SafeHtml | string {
  const d = e.details;
  const n = (v: number) => formatNumber(p.locale, v);
  const code = (v: string) => html`<code>${v}</code>`;
  const action = text(d.action);
  switch (e.rule) {
    case 'auth.password_guessing': {
      const attempts = count(d.attempts);
      const minutes = count(d.windowMinutes);
      if (attempts !== null && minutes !== null && e.subject)
        return messageHtml(p, 'sec.sum.password_guessing', { n: n(attempts), account: e.subject, minutes });
      break;
    }
    case 'auth.address_many_accounts': {
      const accounts = Array.isArray(d.accounts) ? d.accounts : null;
      // The monitor keeps at most 50 of the accounts; their number is `accountCount` (events raised before it was kept have fewer than 50 or keep their sentence).
      const total = count(d.accountCount) ?? (accounts && accounts.length < 50 ? accounts.length : null);
      const minutes = count(d.windowMinutes);
      const ip = e.ip ?? e.subject;
      if (total !== null && minutes !== null && ip) return messageHtml(p, 'sec.sum.address_many_accounts', { ip, n: n(total), minutes });
      break;
    }
    case 'staff.mass_read': {
      const dossiers = count(d.dossiers);
      const minutes = count(d.windowMinutes);
      if (dossiers !== null && minutes === 60) return messageHtml(p, 'sec.sum.mass_read', { n: n(dossiers) });
      break;
    }
    case 'staff.export':
      if (action) return messageHtml(p, 'sec.sum.export', { action: code(action) });
      break;
    case 'staff.off_hours':
      if (action) return messageHtml(p, 'sec.sum.off_hours', { action: code(action) });
      break;
    case 'admin.role_change': {
      const roles = Array.isArray(d.roles) && d.roles.every((r) => typeof r === 'string') ? (d.roles as string[]) : null;
      if (!action || !roles) break;
      const account = e.subject ?? '?';
      if (!roles.length) return messageHtml(p, 'sec.sum.role_change', { action: code(action), account });
      const names = roles.map((r) => roleName(p, r)).join(', ');
      return messageHtml(p, 'sec.sum.role_change_roles', { action: code(action), account, roles: names });
    }
    case 'audit.chain_broken': {
      const id = d.firstBrokenId;
      const reason = d.reason;
      if (!(typeof id === 'number' || typeof id === 'string' || id === null) || !(typeof reason === 'string' || reason === null)) break;
      const why = reason === null ? t(p.locale, 'sec.unknown') : CHAIN_REASON_KEYS[reason] ? t(p.locale, CHAIN_REASON_KEYS[reason]) : null;
      if (why === null) break;
      return messageHtml(p, 'sec.sum.chain_broken', { record: id === null ? '?' : String(id), reason: why });
    }
  }
  return vi(p, e.summary);
}

const SEC_RULE_KEYS: Record<string, MessageKey> = {
  'sec.rule.auth.password_guessing': 'sec.rule.auth.password_guessing',
  'sec.rule.auth.address_many_accounts': 'sec.rule.auth.address_many_accounts',
  'sec.rule.staff.mass_read': 'sec.rule.staff.mass_read',
  'sec.rule.staff.export': 'sec.rule.staff.export',
  'sec.rule.staff.off_hours': 'sec.rule.staff.off_hours',
  'sec.rule.admin.role_change': 'sec.rule.admin.role_change',
  'sec.rule.audit.chain_broken': 'sec.rule.audit.chain_broken',
};
