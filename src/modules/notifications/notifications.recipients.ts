/**
 * Recipients: normalising phone numbers for the SMS gateway and masking addresses in API output
 * and logs (personal data: only the delivery job itself reads the full address).
 */

/** A Vietnamese mobile number in international form without "+": 0912345678 → 84912345678; null when not a mobile number. */
export function smsAddress(phone: string): string | null {
  const digits = phone.replace(/[\s.()-]/g, '');
  const m = /^(?:\+84|84|0)([35789]\d{8})$/.exec(digits);
  return m ? `84${m[1]}` : null;
}

/** a.nguyen@example.vn → a***@example.vn; x@y.vn → x***@y.vn. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** 84912345678 or 0912345678 → 091****678 (national form, middle hidden). */
export function maskPhone(phone: string): string {
  const intl = smsAddress(phone);
  const national = intl ? `0${intl.slice(2)}` : phone.replace(/\D/g, '');
  if (national.length < 7) return '***';
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 6)}${national.slice(-3)}`;
}

export function maskRecipient(channel: 'email' | 'sms', recipient: string): string {
  return channel === 'email' ? maskEmail(recipient) : maskPhone(recipient);
}

/** A URL for logs: no user name, password, query or fragment. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
