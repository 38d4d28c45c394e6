import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressBody, negotiateEncoding } from './compress.ts';

describe('response compression', () => {
  it('prefers Brotli, falls back to gzip, respects q=0 and wildcards', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip, deflate')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
    expect(negotiateEncoding(['gzip', 'deflate'])).toBe('gzip');
  });

  it('round-trips Vietnamese HTML and makes it much smaller', () => {
    const page = `<!doctype html><p>${'Thủ tục hành chính — Cổng dịch vụ công tỉnh. '.repeat(400)}</p>`;
    const br = compressBody(page, 'br');
    const gz = compressBody(page, 'gzip');
    expect(brotliDecompressSync(br).toString('utf8')).toBe(page);
    expect(gunzipSync(gz).toString('utf8')).toBe(page);
    expect(br.length).toBeLessThan(Buffer.byteLength(page) / 10);
  });
});
