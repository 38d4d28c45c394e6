import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryRows, sql } from '../db/client.ts';
import { listSecurityEvents } from '../modules/security/index.ts';
import { hasRole } from '../platform/context.ts';
import { formatVnDateTime } from '../platform/time.ts';
import type { WebHelpers } from './application.routes.ts';
import { html } from './html.ts';
import { t, type MessageKey } from './i18n.ts';
import { layout, tr } from './layout.ts';
import { errorPage } from './pages.ts';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
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
      await reply.redirect(`/dang-nhap?next=${encodeURIComponent(req.url)}`, 303);
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
    const fromIn = str(q['tu-ngay'], 10);
    const fromOk = DATE_RE.test(fromIn) && !Number.isNaN(Date.parse(`${fromIn}T00:00:00+07:00`));
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
${fromIn && !fromOk ? html`<p class="error-message" role="alert">${_('sec.badFrom')}</p>` : null}
<form method="get" action="/an-ninh" class="filters" aria-label="${_('sec.filter')}">
<div class="field"><label for="sec-sev">${_('sec.severity')}</label>
<select id="sec-sev" name="muc-do"><option value="">${_('sec.severityAll')}</option>${SEVERITIES.map(
      (s) => html`<option value="${s}"${s === severity ? html` selected` : null}>${_(`sec.sev.${s}`)}</option>`,
    )}</select></div>
<div class="field"><label for="sec-rule">${_('sec.colRule')}</label>
<select id="sec-rule" name="quy-tac"><option value="">${_('sec.ruleAll')}</option>${RULES.map(
      (r) => html`<option value="${r}"${r === rule ? html` selected` : null}>${ruleName(r)}</option>`,
    )}</select></div>
<div class="field"><label for="sec-from">${_('sec.from')}</label><p class="hint" id="sec-from-hint">${_('sec.fromHint')}</p>
<input id="sec-from" name="tu-ngay" type="date" value="${fromIn}" aria-describedby="sec-from-hint"></div>
<button type="submit">${_('sec.apply')}</button>
</form>
<h2>${_('sec.count', { count: events.length })}</h2>
${
  events.length
    ? html`<ol class="sec-events">${events.map(
        (e) =>
          html`<li class="sev-${e.severity}"><h3>${ruleName(e.rule)}</h3>
<p><strong class="sev sev-${e.severity}">${_('sec.severityIs', { severity: _(`sec.sev.${e.severity}`) })}</strong></p>
<p class="sec-summary">${e.summary}</p>
<dl class="sec-facts"><div><dt>${_('sec.colTime')}</dt><dd>${formatVnDateTime(new Date(e.at))}</dd></div>${
            e.subject ? html`<div><dt>${_('sec.colSubject')}</dt><dd>${e.subject}</dd></div>` : null
          }<div><dt>${_('sec.colAddress')}</dt><dd>${e.ip ?? _('sec.unknown')}</dd></div></dl></li>`,
      )}</ol>`
    : html`<p>${_('sec.none')}</p>`
}`;
    return h.send(reply, 200, layout(p, _('sec.title'), body));
  });
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
