import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, the parameters every authenticator app
 * supports. A code is accepted one step either side (clock drift) and only once: the caller
 * stores the last accepted step and passes it back.
 */
export const TOTP_ISSUER = 'Tỉnh Số';
const PERIOD = 30;
const DIGITS = 6;
const WINDOW = 1;

const totpOf = (secretBase32: string, label: string) =>
  new OTPAuth.TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: OTPAuth.Secret.fromBase32(secretBase32) });

/** A new 160-bit secret, base32 (what people type into an app when they cannot scan). */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans. */
export function otpauthUri(secretBase32: string, username: string): string {
  return totpOf(secretBase32, username).toString();
}

/** The URI as an SVG QR code. */
export function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The step (30-second counter) of an instant. */
export const stepAt = (now: Date): number => Math.floor(now.getTime() / 1000 / PERIOD);

/** The code for an instant (tests and the demo use it to play the authenticator app). */
export function totpCode(secretBase32: string, now: Date): string {
  return OTPAuth.TOTP.generate({
    secret: OTPAuth.Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    timestamp: now.getTime(),
  });
}

/**
 * The step a code belongs to when it is valid at `now` (±1 step) and newer than `lastStep`,
 * else null (wrong, expired, or already used).
 */
export function verifyTotp(secretBase32: string, code: string, now: Date, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = OTPAuth.TOTP.validate({
    token: code,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    timestamp: now.getTime(),
    window: WINDOW,
  });
  if (delta === null) return null;
  const step = stepAt(now) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

// Recovery codes: 10 characters from an alphabet without look-alikes (50 bits), shown as xxxxx-xxxxx.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(n = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: n }, () => {
    const bytes = randomBytes(10);
    const s = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** What people type, normalised (case, spaces, dashes), or null when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | null {
  const s = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z0-9]{10}$/.test(s) ? `${s.slice(0, 5)}-${s.slice(5)}` : null;
}
