/**
 * Delivery channels: email over SMTP (nodemailer) and SMS over an HTTP gateway.
 *
 * SMS gateway protocol (the adapter a real Vietnamese gateway is plugged in behind; documented
 * in docs/NOTIFICATIONS.md):
 *   POST {SMS_GATEWAY_URL}
 *   Authorization: Bearer {SMS_GATEWAY_TOKEN}
 *   Content-Type: application/json
 *   Idempotency-Key: {reference}
 *   {"to": "84912345678", "text": "TinhSo: ...", "reference": "<delivery id>"}
 * Any 2xx means accepted; the JSON answer may carry `id` (or `messageId`), kept as the provider's
 * message id. 408, 425, 429 and 5xx (and network errors, timeouts) are temporary and retried;
 * other statuses are permanent. Redirects are not followed.
 */
import type { Transporter } from 'nodemailer';
import { redactUrl } from './notifications.recipients.ts';

export interface SendResult {
  providerMessageId: string | null;
}

/** A failed send; `permanent` failures (a rejected address, a 4xx from the gateway) are not retried. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface EmailChannel {
  /** Where mail goes, without credentials (for logs). */
  readonly describe: string;
  send(msg: { to: string; subject: string; text: string; id: string }): Promise<SendResult>;
  close(): void;
}

export interface SmsChannel {
  readonly describe: string;
  send(msg: { to: string; text: string; reference: string }): Promise<SendResult>;
}

export interface Channels {
  email?: EmailChannel | undefined;
  sms?: SmsChannel | undefined;
}

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/**
 * A few SMTP connections kept open and reused (a new connection per message — TCP, greeting,
 * EHLO, STARTTLS — limited a worker to ~50 emails/s against a local server). Each is renewed
 * after 100 messages; a broken one is replaced and its message fails as a temporary error.
 * SMTP_URL's query overrides these (`?maxConnections=8&maxMessages=500`): nodemailer gives the
 * URL's options precedence.
 */
const SMTP_POOL = { pool: true, maxConnections: 4, maxMessages: 100 };

/** Email through an SMTP server (smtp:// or smtps://, credentials in the URL if the server needs them). */
export function smtpChannel(url: string, from: string): EmailChannel {
  // nodemailer is loaded with the first message, not at start. The promise is kept, so messages
  // sent while it loads share one transport (and its connection pool).
  let transport: Promise<Transporter> | null = null;
  const transporter = () => (transport ??= import('nodemailer').then((m) => m.default.createTransport({ url, ...SMTP_TIMEOUTS, ...SMTP_POOL })));
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'tinhso.localhost';
  return {
    describe: redactUrl(url),
    async send({ to, subject, text, id }) {
      try {
        const info = await (
          await transporter()
        ).sendMail({
          from,
          to,
          subject,
          text,
          // One Message-ID per delivery: a resent copy after a crash carries the same id.
          messageId: `<${id}@${domain}>`,
          headers: { 'X-Tinhso-Delivery': id, 'Auto-Submitted': 'auto-generated' },
        });
        if (info.rejected?.length) throw new DeliveryError('recipient rejected by the SMTP server', true);
        return { providerMessageId: typeof info.messageId === 'string' ? info.messageId : null };
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        const e = err as { message?: string; responseCode?: number; code?: string };
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
        const detail = e.responseCode ? `SMTP ${e.responseCode}: ${e.message ?? ''}` : `${e.code ?? 'SMTP'}: ${e.message ?? String(err)}`;
        throw new DeliveryError(detail.slice(0, 500), permanent);
      }
    },
    close() {
      void transport?.then((t) => t.close());
    },
  };
}

const TEMPORARY_HTTP = new Set([408, 425, 429]);

/** SMS through the HTTP gateway protocol above. Only http(s) URLs without credentials are accepted. */
export function httpSmsChannel(url: string, token: string | undefined, opts: { timeoutMs?: number } = {}): SmsChannel {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('SMS_GATEWAY_URL must be an http:// or https:// URL');
  if (u.username || u.password) throw new Error('SMS_GATEWAY_URL must not carry credentials: put the token in SMS_GATEWAY_TOKEN');
  const where = redactUrl(url);
  return {
    describe: where,
    async send({ to, text, reference }) {
      let res: Response;
      try {
        res = await fetch(u, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'idempotency-key': reference,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ to, text, reference }),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const what = (err as Error).name === 'TimeoutError' ? 'timed out' : (cause?.code ?? cause?.message ?? (err as Error).message);
        throw new DeliveryError(`SMS gateway ${where} unreachable: ${what}`, false);
      }
      const body = (await res.text().catch(() => '')).slice(0, 2000);
      if (res.status >= 200 && res.status < 300) {
        let id: string | null = null;
        try {
          const j = JSON.parse(body) as { id?: unknown; messageId?: unknown };
          const v = j.id ?? j.messageId;
          id = typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 200) : null;
        } catch {
          id = null;
        }
        return { providerMessageId: id };
      }
      const permanent = !(res.status >= 500 || TEMPORARY_HTTP.has(res.status));
      throw new DeliveryError(`SMS gateway answered ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`, permanent);
    },
  };
}
