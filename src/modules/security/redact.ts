import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * What the logs never show (the app's logger in app.ts, and so every request's child logger and
 * the `security` child logger): credentials (passwords, session and bearer tokens, cookies, TOTP
 * and recovery codes, secrets) and personal data (ID numbers, phone numbers, tax codes, emails,
 * dates of birth), at the top level and up to three levels down, as request logs and our own log
 * objects carry them. Values are replaced, keys stay so a reader sees that something was there.
 */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'sessionToken',
  'secret',
  'clientSecret',
  'totp',
  'totpCode',
  'recoveryCode',
  'otp',
  'csrf',
  'authorization',
  'cookie',
  'set-cookie',
  'idNumber',
  'id_number',
  'personalId',
  'personal_id',
  'phone',
  'phoneNumber',
  'taxCode',
  'tax_code',
  'email',
  'dateOfBirth',
  'birthDate',
] as const;

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);

/**
 * The same rule as pino `redact` paths (a key of SECRET_KEYS at any of the first four levels).
 * The logger does not use them: pino's redaction of wildcard paths runs on every top-level value
 * it writes, the request id of every request's child logger included, and cost ~7 % of the CPU of
 * a public lookup (docs/PERFORMANCE.md, "Lookups, session 4"). `redactingLogger` below applies the
 * same rule; its test compares the two on generated objects.
 */
export const LOG_REDACT = {
  paths: SECRET_KEYS.flatMap((k) => [key(k).replace(/^\./, ''), `*${key(k)}`, `*.*${key(k)}`, `*.*.*${key(k)}`]),
  censor: '[redacted]',
};

const SECRET = new Set<string>(SECRET_KEYS);
/** Levels searched: 1 is the log line itself, 4 is three levels down. */
const LEVELS = 4;

/**
 * `value` without secrets, its properties being at `level`: the same object when there is
 * nothing to hide (no copy on the hot path), else a copy where each secret's value is the censor
 * (objects and arrays on the way are copied too; the caller's objects are never changed).
 */
export function redactLevel(value: unknown, level = 1): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const k in obj) {
    const v = obj[k];
    const w = SECRET.has(k) ? LOG_REDACT.censor : level < LEVELS && v !== null && typeof v === 'object' ? redactLevel(v, level + 1) : v;
    if (w !== v) {
      copy ??= (Array.isArray(obj) ? [...(obj as unknown[])] : { ...obj }) as Record<string, unknown>;
      copy[k] = w;
    }
  }
  return copy ?? obj;
}

const isPlain = (v: unknown) => {
  if (v === null || typeof v !== 'object') return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(v);
};

/**
 * The log line's own fields (pino `formatters.log`, before serializers run): every field, except
 * `err`, redacted after its serializer (below), and Fastify's request and reply objects under
 * `req` and `res`, which Fastify's serializers reduce to fixed fields (method, url, host, remote
 * address and port; status code) without walking them here.
 */
function redactLine(obj: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const k in obj) {
    const v = obj[k];
    let w = v;
    if (SECRET.has(k)) w = LOG_REDACT.censor;
    else if (k === 'err' || ((k === 'req' || k === 'res') && !isPlain(v))) continue;
    else if (v !== null && typeof v === 'object') w = redactLevel(v, 2);
    if (w !== v) {
      copy ??= { ...obj };
      copy[k] = w;
    }
  }
  return copy ?? obj;
}

/**
 * The text of each database query's parameters in an error's chain: drizzle's DrizzleQueryError
 * writes them into its message as `\nparams: <values>` (and so into the stack), and they are the
 * request's data (names, emails, form answers).
 */
function paramsTexts(err: unknown): string[] {
  const texts: string[] = [];
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const params = (e as { params?: unknown }).params;
    if (Array.isArray(params) && params.length) texts.push(`\nparams: ${String(params)}`);
  }
  return texts;
}

/**
 * An error as pino serializes it, with the rule applied to its properties, and what a failed query
 * carries of the request's data gone: the parameters (the `params` property, and their text in the
 * message and stack; the SQL stays, with `$n` where the values were) and PostgreSQL's `detail`, which
 * quotes values (`Key (code)=(…) already exists`).
 */
function redactedErr(err: Error): pino.SerializedError {
  const serialized = redactLevel(pino.stdSerializers.err(err), 2) as pino.SerializedError;
  const params = paramsTexts(err);
  if (!params.length && serialized.detail === undefined && serialized.params === undefined) return serialized;
  const copy: pino.SerializedError = { ...serialized };
  for (const k of ['message', 'stack'] as const) {
    let text = copy[k];
    for (const p of params) text = text.split(p).join(`\nparams: ${LOG_REDACT.censor}`);
    copy[k] = text;
  }
  if (copy.params !== undefined) copy.params = LOG_REDACT.censor;
  if (copy.detail !== undefined) copy.detail = LOG_REDACT.censor;
  return copy;
}

/** Query parameters whose values a logged URL never shows: free-text search (`q`, which takes ID numbers and names) and the secret keys. */
const URL_SECRETS = new Set<string>(['q', ...SECRET_KEYS]);

/** A URL as logged: the value of each query parameter named in URL_SECRETS replaced (`?q=[redacted]&page=2`). */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  let changed = false;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is logged as it came.
      }
      if (!URL_SECRETS.has(name)) return pair;
      changed = true;
      return `${pair.slice(0, eq)}=${LOG_REDACT.censor}`;
    });
  return changed ? `${url.slice(0, at + 1)}${pairs.join('&')}` : url;
}

/** Fastify's request serializer (the same fields), with the URL through redactUrl. */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}
const redactedReq = (req: LoggedRequest) =>
  // A plain object logged under `req` is one of ours, already redacted by redactLine.
  isPlain(req)
    ? req
    : {
        method: req.method,
        url: redactUrl(req.url),
        version: req.headers?.['accept-version'],
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      };

/** A log message that quotes an error's message (Fastify logs `err.message` as the line's msg) without the query parameters in it. */
function scrubMessage(args: unknown[]): unknown[] {
  const [obj, msg] = args;
  if (typeof msg !== 'string' || obj === null || typeof obj !== 'object') return args;
  const params = paramsTexts((obj as { err?: unknown }).err ?? obj);
  if (!params.length) return args;
  let text = msg;
  for (const p of params) text = text.split(p).join(`\nparams: ${LOG_REDACT.censor}`);
  return [obj, text, ...args.slice(2)];
}

/**
 * A pino logger that applies the rule to every line it or its children write: the line's fields,
 * each child logger's bindings (a request's child has one, its id: nothing to copy), and the
 * serialized error, and the request's URL (redactUrl). app.ts hands it to Fastify
 * (`loggerInstance`); Fastify adds its `res` serializer in its own child and keeps these `err` and
 * `req` ones.
 */
export function redactingLogger(options: LoggerOptions = {}, stream?: DestinationStream): Logger {
  const root = pino(
    {
      ...options,
      formatters: { ...options.formatters, log: redactLine, bindings: (b) => redactLevel(b) as pino.Bindings },
      hooks: {
        ...options.hooks,
        logMethod(args, method) {
          method.apply(this, scrubMessage(args) as Parameters<typeof method>);
        },
      },
      // Fastify takes these over its own (fastify/lib/logger-pino.js merges the instance's last).
      serializers: { ...options.serializers, err: redactedErr, req: redactedReq },
    },
    stream,
  );
  // pino applies `formatters.bindings` to the root's own bindings only; children are objects made
  // from their parent (Object.create), so this method is every descendant's.
  type Child = (this: Logger, bindings: pino.Bindings, opts?: pino.ChildLoggerOptions) => Logger;
  const child = root.child as unknown as Child;
  const redactingChild: Child = function (bindings, opts) {
    return child.call(this, redactLevel(bindings) as pino.Bindings, opts);
  };
  root.child = redactingChild as unknown as Logger['child'];
  return root;
}
