import { describe, expect, it } from 'vitest';
import { parseBearer } from './auth.ts';

const TOKEN = 'Zx9_-abcdefghijklmnopqrstuvwxyzABCDEFGHIJK'; // 43 characters, like randomBytes(32) in base64url

describe('parseBearer (RFC 9110 §11, RFC 6750 §2.1)', () => {
  it('takes the scheme name in any case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect(parseBearer(`${scheme} ${TOKEN}`), scheme).toBe(TOKEN);
  });

  it('takes one or more spaces between scheme and token, and ignores whitespace around the value', () => {
    expect(parseBearer(`Bearer  ${TOKEN}`)).toBe(TOKEN);
    expect(parseBearer(`bearer     ${TOKEN}`)).toBe(TOKEN);
    expect(parseBearer(` \tBearer ${TOKEN}\t `)).toBe(TOKEN);
  });

  it('refuses anything else', () => {
    for (const value of [
      '',
      'Bearer',
      `Bearer${TOKEN}`, // no separator
      `Bearer\t${TOKEN}`, // a tab is not 1*SP
      `Bearer ${TOKEN} extra`,
      `Bearer ${TOKEN}=`, // not base64url without padding
      `Bearer ${'a'.repeat(19)}`, // too short for one of ours
      `Bearer ${'a'.repeat(201)}`,
      `Basic ${TOKEN}`,
      `Bearers ${TOKEN}`,
      `Token ${TOKEN}`,
    ]) {
      expect(parseBearer(value), JSON.stringify(value)).toBeNull();
    }
    expect(parseBearer(`Bearer ${'a'.repeat(20)}`)).toBe('a'.repeat(20));
    expect(parseBearer(`Bearer ${'a'.repeat(200)}`)).toBe('a'.repeat(200));
  });
});
