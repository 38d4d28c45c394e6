/**
 * What the logs never show (pino `redact`, used by the app's logger in app.ts and so by the
 * `security` child logger): credentials (passwords, session and bearer tokens, cookies, TOTP and
 * recovery codes, secrets) and personal data (ID numbers, phone numbers, tax codes, emails, dates
 * of birth), at the top level and up to three levels down, as request logs and our own log
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

export const LOG_REDACT = {
  paths: SECRET_KEYS.flatMap((k) => [key(k).replace(/^\./, ''), `*${key(k)}`, `*.*${key(k)}`, `*.*.*${key(k)}`]),
  censor: '[redacted]',
};
