import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Parsed once at start; every bad field is listed at once.
 * Defaults exist only for development and the embedded demo: production refuses to start
 * without a database URL and real secrets.
 */
const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATA_DIR: z.string().default('./data'),
    /** Write small attachments with synchronous file calls (platform/files.ts); `off` on a network file system. */
    FILES_SYNC_SMALL_WRITES: z.enum(['on', 'off']).default('on'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    /** Embedded database (docs/DATABASE.md, "PGlite settings"): V8's tiers for PGlite's WebAssembly. */
    PGLITE_WASM_TIERS: z.enum(['baseline', 'optimizing']).default('baseline'),
    SESSION_SECRET: z.string().min(32).optional(),
    SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
    DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
    DEMO_DOSSIERS: z.coerce.number().int().min(0).max(100_000).default(2000),
    PUBLIC_BASE_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Requests per minute and client address on the public lookup and on sign-in. */
    PUBLIC_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    /** Security (docs/SECURITY.md): /metrics protection and the thresholds of the monitoring rules. */
    METRICS_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9_-]{32,200}$/, 'must be 32 to 200 letters, digits, - or _')
      .optional(),
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    SECURITY_LOGIN_FAILURES: z.coerce.number().int().min(2).max(1000).default(5),
    SECURITY_ACCOUNTS_PER_ADDRESS: z.coerce.number().int().min(2).max(1000).default(5),
    SECURITY_READS_PER_HOUR: z.coerce.number().int().min(2).max(100_000).default(50),
    /** Notifications (docs/NOTIFICATIONS.md): SMTP server, sender, SMS gateway; unset outside production = local sinks. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Tỉnh Số <no-reply@tinhso.localhost>'),
    SMS_GATEWAY_URL: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional(),
    SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
    NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
    /** Identity (docs/IDENTITY.md): encryption key list `id:base64,…`; the national identity (VNeID) OpenID provider. */
    DATA_ENCRYPTION_KEY: z.string().min(10).optional(),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).default('tinhso'),
    OIDC_CLIENT_SECRET: z.string().min(16).optional(),
    OIDC_REDIRECT_URI: z.string().url().optional(),
    OIDC_SCOPE: z.string().min(6).default('openid profile vneid'),
    OIDC_ID_NUMBER_CLAIM: z.string().min(1).default('personal_id'),
    OIDC_LOCAL_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** Payments (docs/PAYMENTS.md): the province's collecting account, webhook secret, stand-in bank for the demo. */
    PAYMENT_BANK_BIN: z
      .string()
      .regex(/^\d{6}$/, 'must be a 6-digit NAPAS BIN')
      .default('970415'),
    PAYMENT_ACCOUNT_NO: z
      .string()
      .regex(/^[0-9A-Za-z]{1,19}$/, 'must be 1 to 19 letters or digits')
      .default('113000006868'),
    PAYMENT_ACCOUNT_NAME: z.string().min(2).max(100).default('TRUNG TAM PHUC VU HANH CHINH CONG TINH NINH BINH'),
    PAYMENT_BANK_NAME: z.string().min(2).max(100).default('VietinBank'),
    PAYMENT_WEBHOOK_SECRET: z.string().min(32).optional(),
    PAYMENT_DUE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(72),
    DEMO_BANK_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    PAYMENT_REFUND_URL: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional(),
    PAYMENT_REFUND_SECRET: z.string().min(32).optional(),
    PAYMENT_REFUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    PAYMENT_REFUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
    /** Document sealing keys (docs/DOCUMENTS.md): JSON list of Ed25519 keys, the first signs. */
    DOCUMENT_SIGNING_KEYS: z.string().min(2).optional(),
    /** HTTP worker processes (PostgreSQL only: PGlite lives inside one process). */
    WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production (a PostgreSQL server)' });
    }
    if (!env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production (at least 32 characters)' });
    }
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_SECRET'], message: 'is required in production when OIDC_ISSUER is set' });
    }
    if (env.OIDC_ISSUER && !env.OIDC_REDIRECT_URI && !env.PUBLIC_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_REDIRECT_URI'], message: 'or PUBLIC_BASE_URL is required in production when OIDC_ISSUER is set' });
    }
  });

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  dataDir: string;
  /** Small attachments are written with synchronous file calls (fast on a local disk; turn off on a network file system). */
  filesSyncSmallWrites: boolean;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** 'baseline': PGlite's WebAssembly runs on V8's baseline compiler only (faster start, less memory). */
  pgliteWasmTiers: 'baseline' | 'optimizing';
  sessionSecret: string;
  sessionTtlMs: number;
  /** Demo data and demo accounts: never in production. */
  loadDemoData: boolean;
  demoDossiers: number;
  publicBaseUrl: string | undefined;
  logLevel: string;
  trustProxy: boolean;
  publicLookupRateLimit: number;
  loginRateLimit: number;
  workers: number;
  /** Metrics protection and monitoring thresholds (docs/SECURITY.md). */
  security: SecurityConfig;
  /** DOCUMENT_SIGNING_KEYS as given (docs/DOCUMENTS.md); unset outside production = a key file in DATA_DIR. */
  documentSigningKeys: string | undefined;
  /** Payments by VietQR (docs/PAYMENTS.md). */
  payments: PaymentsConfig;
  /** Key list for encryption at rest (platform/crypto.ts); unset outside production = a key file in DATA_DIR. */
  dataEncryptionKey: string | undefined;
  /** The national identity provider; issuer unset outside production = the local provider (local-idp.ts). */
  oidc: {
    issuer: string | undefined;
    clientId: string;
    clientSecret: string;
    redirectUri: string | undefined;
    scope: string;
    idNumberClaim: string;
    localPort: number;
  };
  /** Email and SMS channels (docs/NOTIFICATIONS.md). */
  notifications: { smtpUrl: string | undefined; mailFrom: string; smsGatewayUrl: string | undefined; smsGatewayToken: string | undefined; maxAttempts: number };
}

/** The stand-in bank's shared secret outside production (docs/PAYMENTS.md). */
export const DEMO_PAYMENT_WEBHOOK_SECRET = 'tinhso-demo-payment-webhook-secret-not-for-production';

export interface PaymentsConfig {
  bankBin: string;
  accountNo: string;
  accountName: string;
  bankName: string;
  webhookSecret: string | undefined;
  dueHours: number;
  /** Port of the stand-in bank started by main.ts (development and demo only). */
  demoBankPort: number | undefined;
  /** Where the demo payment button sends VietQR payloads; set with the stand-in bank. */
  demoBankUrl: string | undefined;
  /** The bank's refund API (docs/PAYMENTS.md); unset outside production with the stand-in bank = its /refunds. */
  refundUrl: string | undefined;
  /** HMAC secret for refund requests; defaults to the webhook secret. */
  refundSecret: string | undefined;
  refundTimeoutMs: number;
  refundMaxAttempts: number;
}

export interface SecurityConfig {
  /** Bearer token for GET /metrics on the main port; unset (and no port) = /metrics answers only outside production. */
  metricsToken: string | undefined;
  /** Serve /metrics on this separate management port instead of the main one. */
  metricsPort: number | undefined;
  /** Failed sign-ins on one account within 15 minutes that raise a password-guessing event. */
  loginFailures: number;
  /** Distinct accounts failing from one address within 15 minutes that raise an event. */
  accountsPerAddress: number;
  /** Distinct dossiers one staff account reads within an hour that raise an event. */
  readsPerHour: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws ConfigError listing every bad field. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // The operator's messages stay English, as this file's own ones are (the API's are Vietnamese: platform/schemas.ts).
  const parsed = EnvSchema.safeParse(env, { error: z.locales.en().localeError });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    filesSyncSmallWrites: e.FILES_SYNC_SMALL_WRITES === 'on',
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    pgliteWasmTiers: e.PGLITE_WASM_TIERS,
    // Development only: a fixed secret so sessions survive restarts of the demo.
    sessionSecret: e.SESSION_SECRET ?? 'tinhso-development-secret-not-for-production-use',
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    loadDemoData: e.NODE_ENV !== 'production' && e.DEMO_DATA === 'auto',
    demoDossiers: e.DEMO_DOSSIERS,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    publicLookupRateLimit: e.PUBLIC_LOOKUP_RATE_LIMIT,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    workers: e.DATABASE_URL ? e.WORKERS : 1,
    security: {
      metricsToken: e.METRICS_TOKEN,
      metricsPort: e.METRICS_PORT,
      loginFailures: e.SECURITY_LOGIN_FAILURES,
      accountsPerAddress: e.SECURITY_ACCOUNTS_PER_ADDRESS,
      readsPerHour: e.SECURITY_READS_PER_HOUR,
    },
    documentSigningKeys: e.DOCUMENT_SIGNING_KEYS,
    payments: {
      bankBin: e.PAYMENT_BANK_BIN,
      accountNo: e.PAYMENT_ACCOUNT_NO,
      accountName: e.PAYMENT_ACCOUNT_NAME,
      bankName: e.PAYMENT_BANK_NAME,
      // Outside production a fixed secret that the stand-in bank shares; in production without a
      // secret the webhook refuses every notification (503) rather than trust a known one.
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET ?? (e.NODE_ENV === 'production' ? undefined : DEMO_PAYMENT_WEBHOOK_SECRET),
      dueHours: e.PAYMENT_DUE_HOURS,
      demoBankPort: e.NODE_ENV === 'production' ? undefined : e.DEMO_BANK_PORT,
      demoBankUrl: e.NODE_ENV !== 'production' && e.DEMO_BANK_PORT !== undefined ? `http://127.0.0.1:${e.DEMO_BANK_PORT}` : undefined,
      refundUrl:
        e.PAYMENT_REFUND_URL ?? (e.NODE_ENV !== 'production' && e.DEMO_BANK_PORT !== undefined ? `http://127.0.0.1:${e.DEMO_BANK_PORT}/refunds` : undefined),
      refundSecret: e.PAYMENT_REFUND_SECRET ?? e.PAYMENT_WEBHOOK_SECRET ?? (e.NODE_ENV === 'production' ? undefined : DEMO_PAYMENT_WEBHOOK_SECRET),
      refundTimeoutMs: e.PAYMENT_REFUND_TIMEOUT_MS,
      refundMaxAttempts: e.PAYMENT_REFUND_MAX_ATTEMPTS,
    },
    dataEncryptionKey: e.DATA_ENCRYPTION_KEY,
    oidc: {
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      // Development only: the local provider registers the client with this secret.
      clientSecret: e.OIDC_CLIENT_SECRET ?? 'tinhso-local-oidc-client-secret',
      redirectUri: e.OIDC_REDIRECT_URI,
      scope: e.OIDC_SCOPE,
      idNumberClaim: e.OIDC_ID_NUMBER_CLAIM,
      localPort: e.OIDC_LOCAL_PORT,
    },
    notifications: {
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      smsGatewayUrl: e.SMS_GATEWAY_URL,
      smsGatewayToken: e.SMS_GATEWAY_TOKEN,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
    },
  };
}
