import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT } from './redact.ts';

function logged(obj: Record<string, unknown>): string {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      out += chunk.toString();
      cb();
    },
  });
  // The same paths as the app's logger (src/app.ts adds these to its own three).
  pino({ redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'body.password', ...LOG_REDACT.paths], censor: LOG_REDACT.censor } }, stream).info(obj, 'm');
  return out;
}

describe('log redaction', () => {
  it('hides credentials and personal data at any of the first levels, keeps the rest', () => {
    const line = logged({
      req: { method: 'POST', url: '/api/v1/auth/login', headers: { authorization: 'Bearer abcdefghijklmnopqrstuvwxyz', cookie: 'tinhso_session=secret-cookie', 'user-agent': 'ua' } },
      res: { headers: { 'set-cookie': 'tinhso_session=new-secret' } },
      body: { username: 'an', password: 'hunter2-password', totpCode: '123456', applicant: { fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an@example.vn' } },
      token: 'tok-123456789',
      user: { taxCode: '0601234567' },
      err: { message: 'boom', details: { recoveryCode: 'ABCD-EFGH' } },
    });
    for (const secret of ['abcdefghijklmnopqrstuvwxyz', 'secret-cookie', 'new-secret', 'hunter2-password', '123456', '036090001234', '0912345678', 'an@example.vn', 'tok-123456789', '0601234567', 'ABCD-EFGH']) {
      expect(line, secret).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
    expect(line).toContain('Nguyễn Văn An'.normalize());
    expect(line).toContain('/api/v1/auth/login');
    expect(line).toContain('"user-agent":"ua"');
  });

  it('every path is one pino accepts (a bad path throws when the logger is built)', () => {
    expect(() => logged({ ok: 1 })).not.toThrow();
    expect(LOG_REDACT.paths).toContain('*.*.idNumber');
    expect(LOG_REDACT.paths).toContain('*.*["set-cookie"]');
  });
});
