import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { newRecoveryCodes, newTotpSecret, normaliseRecoveryCode, otpauthUri, qrSvg, stepAt, totpCode, verifyTotp } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII string "12345678901234567890".
const RFC_SECRET = OTPAuth.Secret.fromLatin1('12345678901234567890').base32;

/** An independent HOTP (RFC 4226) to check against. */
function hotp(secret: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', secret).update(msg).digest();
  const o = h[h.length - 1]! & 0xf;
  const bin = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return String(bin).padStart(6, '0');
}

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors (6-digit truncation of the published 8-digit values)', () => {
    expect(totpCode(RFC_SECRET, new Date(59_000))).toBe('287082'); // 94287082
    expect(totpCode(RFC_SECRET, new Date(1111111109_000))).toBe('081804'); // 07081804
    expect(totpCode(RFC_SECRET, new Date(1234567890_000))).toBe('005924'); // 89005924
    expect(totpCode(RFC_SECRET, new Date(2000000000_000))).toBe('279037'); // 69279037
    expect(hotp(Buffer.from('12345678901234567890'), Math.floor(1234567890 / 30))).toBe('005924');
  });

  it('accepts the current step and one either side, each code only once', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = new Date('2026-11-26T08:00:10+07:00');
    const s = stepAt(now);
    expect(verifyTotp(secret, totpCode(secret, now), now, null)).toBe(s);
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() - 30_000)), now, null)).toBe(s - 1);
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now, null)).toBe(s + 1);
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() - 90_000)), now, null)).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, now), now, s)).toBeNull(); // replayed
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now, s)).toBe(s + 1);
    expect(verifyTotp(secret, '12345', now, null)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', now, null)).toBeNull();
  });

  it('builds an otpauth URI and an SVG QR code', async () => {
    const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'leader.hoa');
    expect(uri).toBe(
      'otpauth://totp/T%E1%BB%89nh%20S%E1%BB%91:leader.hoa?issuer=T%E1%BB%89nh%20S%E1%BB%91&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    );
    const svg = await qrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
  });

  it('recovery codes: ten distinct xxxxx-xxxxx codes; typing is forgiving', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-hj-km-np-z2-9]{5}-[a-hj-km-np-z2-9]{5}$/);
    expect(normaliseRecoveryCode(' ABCDE-fghjk ')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('abcde fghjk')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('123456')).toBeNull();
  });
});
