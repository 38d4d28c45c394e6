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
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL').optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    SESSION_SECRET: z.string().min(32).optional(),
    SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
    DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
    DEMO_DOSSIERS: z.coerce.number().int().min(0).max(100_000).default(2000),
    PUBLIC_BASE_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Requests per minute and client address on the public lookup and on sign-in. */
    PUBLIC_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
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
  });

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws ConfigError listing every bad field. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
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
  };
}
