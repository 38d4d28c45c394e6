import { describe, expect, it } from 'vitest';
import { deviceOf } from './account-pages.ts';

describe('deviceOf: a short name for a session’s browser and system', () => {
  it.each([
    ['Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome — Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari — iOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge — Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0', 'Firefox — macOS'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/131.0 CocCoc/131.0 Chrome/125.0 Safari/537.36',
      'Cốc Cốc — Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36', 'Chrome — Linux'],
    ['curl/8.5.0', 'curl/8.5.0'],
  ])('%s', (ua, expected) => expect(deviceOf(ua, 'Không rõ')).toBe(expected));

  it('unknown when absent; a long unrecognised agent is shortened', () => {
    expect(deviceOf(null, 'Không rõ')).toBe('Không rõ');
    expect(deviceOf('x'.repeat(100), '?')).toBe(`${'x'.repeat(60)}…`);
  });
});
