/**
 * Wiring for main.ts: builds the email and SMS channels from the configuration and, outside
 * production, starts the local sinks (DATA_DIR/outbox) for a channel that is not configured.
 * In production an unconfigured channel is off (logged at start): no deliveries are recorded for it.
 */
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.ts';
import { keyringFor } from '../../platform/crypto.ts';
import type { JobHandlers } from '../../platform/jobs.ts';
import { httpSmsChannel, smtpChannel, type Channels } from './notifications.channels.ts';
import { notificationHandlers } from './notifications.jobs.ts';
import { redactUrl } from './notifications.recipients.ts';
import { startSmsSink, startSmtpSink, type Sink } from './notifications.sinks.ts';

export interface NotificationDelivery {
  handlers: JobHandlers;
  channels: Channels;
  close(): Promise<void>;
}

export async function startNotificationDelivery(config: Config, log: FastifyBaseLogger): Promise<NotificationDelivery> {
  const n = config.notifications;
  const outbox = path.join(config.dataDir, 'outbox');
  const sinks: Sink[] = [];
  const dev = config.env !== 'production';

  let smtpUrl = n.smtpUrl;
  if (!smtpUrl && dev) {
    const sink = await startSmtpSink({ dir: outbox });
    sinks.push(sink);
    smtpUrl = sink.url;
    log.info({ smtp: sink.url, outbox }, 'development SMTP sink started: emails are kept in the outbox (npm run outbox)');
  }
  let smsUrl = n.smsGatewayUrl;
  let smsToken = n.smsGatewayToken;
  if (!smsUrl && dev) {
    smsToken = smsToken ?? 'development-sms-token';
    const sink = await startSmsSink({ dir: outbox, token: smsToken });
    sinks.push(sink);
    smsUrl = sink.url;
    log.info({ sms: sink.url, outbox }, 'development SMS sink started: text messages are kept in the outbox (npm run outbox)');
  }

  const channels: Channels = {};
  if (smtpUrl) channels.email = smtpChannel(smtpUrl, n.mailFrom);
  else log.warn('email notifications are off: SMTP_URL is not set');
  if (smsUrl) channels.sms = httpSmsChannel(smsUrl, smsToken);
  else log.warn('SMS notifications are off: SMS_GATEWAY_URL is not set');
  log.info({ smtp: smtpUrl ? redactUrl(smtpUrl) : null, smsGateway: smsUrl ? redactUrl(smsUrl) : null, maxAttempts: n.maxAttempts }, 'notification channels');

  return {
    channels,
    handlers: notificationHandlers({ channels, maxAttempts: n.maxAttempts, publicBaseUrl: config.publicBaseUrl, keyring: keyringFor(config) }),
    async close() {
      channels.email?.close();
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}
