/**
 * Email and SMS deliveries of dossier notifications.
 *
 * The dossier change enqueues `dossier.status_changed` in its own transaction; its handler fans
 * out here, after the change committed: one `notification_deliveries` row per channel the
 * applicant has (email always, SMS only with consent), each with its own `notification.deliver`
 * job, in one statement for a whole batch of changes. Dedupe keys (the fan-out job id and the channel) make a retried
 * fan-out create nothing twice. Each delivery job sends once per attempt and records the outcome;
 * temporary failures are retried by the queue with its backoff, permanent ones stop at once. No
 * failure here can touch the dossier: its change is already committed.
 */
import { openApplicantRow } from '../../platform/personal-data.ts';
import { asc, eq } from 'drizzle-orm';
import { queryRows, sql, type Db } from '../../db/client.ts';
import { notificationDeliveries, type DeliveryAttempt } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { newId, UUID_RE } from '../../platform/ids.ts';
import type { JobRow } from '../../platform/jobs.ts';
import { toIso, toIsoOrNull } from '../../platform/time.ts';
import { DeliveryError, type Channels } from './notifications.channels.ts';
import { maskRecipient, smsAddress } from './notifications.recipients.ts';
import { renderEmail, renderSms, templateForAction, type TemplateInput, type TemplateKey } from './notifications.templates.ts';

export const DELIVER_JOB = 'notification.deliver';

export interface DeliveryDeps {
  channels: Channels;
  /** Attempts per delivery (the queue's backoff between them: 10 s, 20 s, 40 s ...). */
  maxAttempts: number;
  /** The portal's address, for links in emails. */
  publicBaseUrl?: string | undefined;
  /** Encrypts recipients at rest (phone numbers and email addresses are personal data). */
  keyring: Keyring | null;
}

const recipientAad = (deliveryId: string) => `notification_delivery:${deliveryId}`;

/** One `dossier.status_changed` job with what its notifications need: the dossier, and the history entry of its action. */
export interface ChangeRow {
  /** The job's place in its batch. */
  ord: number;
  action: string;
  to_status: string;
  id: string;
  code: string | null;
  applicant: unknown;
  applicant_id_number_enc: string | null;
  applicant_phone_enc: string | null;
  applicant_sms_consent_at: Date | string | null;
  applicant_user_id: string | null;
  /** The account's answer for `sms_notifications` (null: never asked). */
  sms_consent: boolean | null;
  due_at: Date | string | null;
  procedure_name: string;
  agency_name: string | null;
  note: string | null;
  data: unknown;
}

const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** Whether a change can send email or SMS at all: a channel is configured and recipients can be encrypted. */
export const sendsMessages = (deps: DeliveryDeps): boolean => Boolean((deps.channels.email || deps.channels.sms) && deps.keyring);

/**
 * Reads the dossiers of a batch of `dossier.status_changed` jobs in one statement, in the jobs'
 * order; a job whose dossier is gone has no row. Without `recipients` (no email or SMS channel is
 * configured: only in-app notifications will be written) the applicant's encrypted contact
 * details and SMS consent are neither joined nor read; those fields are then null.
 */
export async function loadChanges(db: Db, jobs: JobRow[], opts: { recipients: boolean } = { recipients: true }): Promise<ChangeRow[]> {
  const items = jobs.flatMap((job, ord) => {
    const { dossierId, action, to } = job.payload as { dossierId?: unknown; action?: unknown; to?: unknown };
    return typeof dossierId === 'string' && typeof action === 'string'
      ? [{ ord, dossier_id: dossierId, action, to_status: typeof to === 'string' ? to : '' }]
      : [];
  });
  // A malformed id fails the statement: in a batch the worker then runs the jobs one by one, and this one fails alone.
  const malformed = items.find((i) => !UUID_RE.test(i.dossier_id));
  if (malformed) throw new Error(`dossier.status_changed: dossierId is not a UUID (${malformed.dossier_id.slice(0, 40)})`);
  if (!items.length) return [];
  const contact = opts.recipients
    ? sql`d.applicant, d.applicant_id_number_enc, d.applicant_phone_enc, d.applicant_sms_consent_at, c.granted AS sms_consent`
    : sql`NULL AS applicant, NULL AS applicant_id_number_enc, NULL AS applicant_phone_enc, NULL AS applicant_sms_consent_at, NULL AS sms_consent`;
  const consent = opts.recipients ? sql`LEFT JOIN consents c ON c.user_id = d.applicant_user_id AND c.purpose = 'sms_notifications'` : sql``;
  return queryRows<ChangeRow>(
    db,
    sql`SELECT j.ord, j.action, j.to_status, d.id, d.code, ${contact}, d.applicant_user_id, d.due_at, p.name AS procedure_name, a.name AS agency_name, h.note, h.data
        FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS j(ord int, dossier_id uuid, action text, to_status text)
        JOIN dossiers d ON d.id = j.dossier_id
        JOIN procedures p ON p.id = d.procedure_id
        LEFT JOIN agencies a ON a.id = d.receiving_agency_id
        ${consent}
        LEFT JOIN LATERAL (SELECT note, data FROM dossier_history WHERE dossier_id = d.id AND action = j.action ORDER BY at DESC, id DESC LIMIT 1) h ON true
        ORDER BY j.ord`,
  );
}

interface PlannedDelivery {
  ord: number;
  id: string;
  dossier_id: string;
  user_id: string | null;
  channel: 'email' | 'sms';
  recipient: string;
  recipient_masked: string;
  template: TemplateKey;
  subject: string | null;
  body: string;
  dedupe_key: string;
}

/** The email and SMS messages one change sends (email always, SMS only with consent), encrypted for storage. */
function planDeliveries(jobId: number, d: ChangeRow, deps: DeliveryDeps): Omit<PlannedDelivery, 'ord'>[] {
  const template = templateForAction(d.action);
  if (!template || !d.code || !sendsMessages(deps) || d.applicant === null) return [];
  const keyring = deps.keyring!;
  const applicant = openApplicantRow<{ fullName?: string; organisationName?: string; email?: string; phone?: string }>(keyring, {
    ...d,
    applicant: parseJson(d.applicant),
  });
  const data = parseJson<Record<string, unknown> | null>(d.data) ?? {};
  const payment =
    typeof data.payment === 'object' && data.payment !== null ? (data.payment as { amount?: unknown; reference?: unknown; dueAt?: unknown }) : null;
  const dateOf = (v: unknown) => (typeof v === 'string' || v instanceof Date ? new Date(v) : null);
  const input: TemplateInput = {
    code: d.code,
    procedureName: d.procedure_name,
    applicantName: applicant.organisationName ?? applicant.fullName ?? '',
    agencyName: d.agency_name,
    dueAt:
      template === 'late_apology'
        ? (dateOf(data.newDueAt) ?? dateOf(d.due_at))
        : template === 'received'
          ? (dateOf(data.dueAt) ?? dateOf(d.due_at))
          : dateOf(d.due_at),
    reason: d.note,
    // request_payment records the payment request it created (payments module) in its history entry.
    amount: typeof data.amount === 'number' ? data.amount : typeof payment?.amount === 'number' ? payment.amount : null,
    paymentReference: typeof payment?.reference === 'string' ? payment.reference : null,
    paymentDueAt: dateOf(payment?.dueAt),
    link: deps.publicBaseUrl ? `${deps.publicBaseUrl.replace(/\/+$/, '')}/ho-so/${d.id}` : null,
  };

  const planned: { channel: 'email' | 'sms'; recipient: string; subject: string | null; body: string }[] = [];
  if (deps.channels.email && applicant.email) {
    const m = renderEmail(template, input);
    planned.push({ channel: 'email', recipient: applicant.email, subject: m.subject, body: m.text });
  }
  const phone = applicant.phone ? smsAddress(applicant.phone) : null;
  // SMS needs consent: the account's, or for a walk-in applicant without one, the consent recorded at the desk.
  const smsAllowed = d.applicant_user_id ? d.sms_consent === true : d.applicant_sms_consent_at !== null;
  if (deps.channels.sms && phone && smsAllowed) {
    planned.push({ channel: 'sms', recipient: phone, subject: null, body: renderSms(template, input) });
  }
  return planned.map((p) => {
    const id = newId();
    return {
      id,
      dossier_id: d.id,
      user_id: d.applicant_user_id,
      channel: p.channel,
      recipient: keyring.encrypt(p.recipient, recipientAad(id)),
      recipient_masked: maskRecipient(p.channel, p.recipient),
      template,
      subject: p.subject,
      body: p.body,
      dedupe_key: `${jobId}:${p.channel}`,
    };
  });
}

/**
 * dossier.status_changed (a batch, `rows` from loadChanges) → delivery rows and their
 * `notification.deliver` jobs for email and SMS, in one statement. Idempotent: the dedupe keys
 * (fan-out job id and channel) let a retried fan-out create nothing twice, and a delivery row
 * exists exactly when its job does. Returns how many deliveries were planned.
 */
export async function fanOutDeliveries(db: Db, jobs: JobRow[], rows: ChangeRow[], deps: DeliveryDeps): Promise<number> {
  const planned: PlannedDelivery[] = rows.flatMap((r) => planDeliveries(jobs[r.ord]!.id, r, deps)).map((p, ord) => ({ ...p, ord }));
  if (!planned.length) return 0;
  const at = new Date().toISOString();
  // The dossier id in the job keeps one dossier's messages in order in the worker (JobWorker.runOnce).
  await db.execute(sql`
    WITH planned AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(planned)}::jsonb) AS t(ord int, id uuid, dossier_id uuid, user_id uuid, channel text,
        recipient text, recipient_masked text, template text, subject text, body text, dedupe_key text)
    ), ins AS (
      INSERT INTO notification_deliveries (id, dossier_id, user_id, channel, recipient, recipient_masked, template, subject, body, status, created_at, updated_at, dedupe_key)
      SELECT id, dossier_id, user_id, channel, recipient, recipient_masked, template, subject, body, 'queued', ${at}::timestamptz, ${at}::timestamptz, dedupe_key
      FROM planned ORDER BY ord
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, dossier_id
    )
    INSERT INTO jobs (type, payload, run_at, created_at, dedupe_key, max_attempts)
    SELECT ${DELIVER_JOB}::text, jsonb_build_object('deliveryId', ins.id, 'dossierId', ins.dossier_id), ${at}::timestamptz, ${at}::timestamptz, 'deliver:' || ins.id, ${deps.maxAttempts}::int
    FROM ins JOIN planned USING (id) ORDER BY planned.ord
    ON CONFLICT (dedupe_key) DO NOTHING`);
  return planned.length;
}

/** Error text safe to store and show: the full address and URL credentials never appear. */
function scrub(message: string, recipient: string): string {
  let s = message.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
  if (recipient) s = s.split(recipient).join('[người nhận]');
  return s.slice(0, 500);
}

/** notification.deliver → one attempt to send one delivery; the outcome is recorded either way. */
export async function deliverNotification(job: JobRow, db: Db, deps: DeliveryDeps): Promise<void> {
  const { deliveryId } = job.payload as { deliveryId: string };
  const [d] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, deliveryId));
  // Sent already (a job run twice after a crash) or given up: nothing to do.
  if (!d || d.status === 'sent' || d.status === 'failed') return;
  const attempt = d.attempts + 1;
  let recipient = '';
  const record = async (entry: DeliveryAttempt, set: Partial<typeof notificationDeliveries.$inferInsert>) => {
    await db
      .update(notificationDeliveries)
      .set({ ...set, attempts: attempt, updatedAt: new Date(entry.at), history: sql`${notificationDeliveries.history} || ${JSON.stringify([entry])}::jsonb` })
      .where(eq(notificationDeliveries.id, d.id));
  };
  try {
    // A recipient that cannot be decrypted (key removed from the keyring) fails for good.
    if (!deps.keyring) throw new DeliveryError('no keyring on this instance: cannot read the recipient', false);
    try {
      recipient = deps.keyring.decrypt(d.recipient, recipientAad(d.id));
    } catch {
      throw new DeliveryError('the recipient cannot be decrypted with the configured keys', true);
    }
    const result =
      d.channel === 'email'
        ? await requireChannel(deps.channels.email).send({ to: recipient, subject: d.subject ?? '', text: d.body, id: d.id })
        : await requireChannel(deps.channels.sms).send({ to: recipient, text: d.body, reference: d.id });
    const at = new Date();
    await record(
      { attempt, at: at.toISOString(), outcome: 'sent', providerMessageId: result.providerMessageId },
      { status: 'sent', sentAt: at, lastError: null, providerMessageId: result.providerMessageId },
    );
  } catch (err) {
    const message = scrub(err instanceof Error ? err.message : String(err), recipient);
    const permanent = err instanceof DeliveryError && err.permanent;
    const final = permanent || job.attempts >= job.max_attempts;
    await record({ attempt, at: new Date().toISOString(), outcome: 'error', error: message }, { status: final ? 'failed' : 'retrying', lastError: message });
    // A permanent failure ends here; otherwise the queue tries again after its backoff (and
    // marks the job failed when the attempts are used up).
    if (!permanent) throw new Error(message);
  }
}

function requireChannel<T>(c: T | undefined): T {
  if (!c) throw new DeliveryError('channel not configured on this instance', false);
  return c;
}

export interface DeliveryView {
  id: string;
  channel: 'email' | 'sms';
  /** Masked: a***@example.vn, 091****678. */
  recipient: string;
  template: TemplateKey;
  subject: string | null;
  status: 'queued' | 'retrying' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  history: { attempt: number; at: string; outcome: 'sent' | 'error'; error: string | null }[];
}

/** The email and SMS deliveries of a dossier, oldest first, with masked recipients (for the dossier pages and the API). */
export async function deliveriesFor(db: Db, dossierId: string): Promise<DeliveryView[]> {
  const rows = await db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.dossierId, dossierId))
    .orderBy(asc(notificationDeliveries.createdAt), asc(notificationDeliveries.id));
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipientMasked,
    template: r.template as TemplateKey,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    providerMessageId: r.providerMessageId,
    createdAt: toIso(r.createdAt),
    updatedAt: toIso(r.updatedAt),
    sentAt: toIsoOrNull(r.sentAt),
    history: parseJson<DeliveryAttempt[]>(r.history).map((h) => ({
      attempt: h.attempt,
      at: toIso(new Date(h.at)),
      outcome: h.outcome,
      error: h.error ?? null,
    })),
  }));
}
