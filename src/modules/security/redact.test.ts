import { Writable } from 'node:stream';
import fc from 'fast-check';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino, { type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT, redactingLogger, redactUrl } from './redact.ts';

function capture(): { stream: Writable; lines: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => out };
}

/** A logger as the app builds it (src/app.ts). */
function appLogger(): { log: Logger; lines: () => string } {
  const { stream, lines } = capture();
  return { log: redactingLogger({ base: undefined, timestamp: false }, stream), lines };
}

function logged(obj: Record<string, unknown>): string {
  const { log, lines } = appLogger();
  log.info(obj, 'm');
  return lines();
}

/** The reference: pino's own `redact` with the equivalent paths (what the app used before). */
function loggedByPinoPaths(obj: Record<string, unknown>): string {
  const { stream, lines } = capture();
  pino({ base: undefined, timestamp: false, redact: { paths: LOG_REDACT.paths, censor: LOG_REDACT.censor } }, stream).info(obj, 'm');
  return lines();
}

describe('log redaction', () => {
  it('hides credentials and personal data at any of the first levels, keeps the rest', () => {
    const line = logged({
      req: {
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { authorization: 'Bearer abcdefghijklmnopqrstuvwxyz', cookie: 'tinhso_session=secret-cookie', 'user-agent': 'ua' },
      },
      res: { headers: { 'set-cookie': 'tinhso_session=new-secret' } },
      body: {
        username: 'an',
        password: 'hunter2-password',
        totpCode: '123456',
        applicant: { fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an@example.vn' },
      },
      token: 'tok-123456789',
      user: { taxCode: '0601234567' },
      err: { message: 'boom', details: { recoveryCode: 'ABCD-EFGH' } },
    });
    for (const secret of [
      'abcdefghijklmnopqrstuvwxyz',
      'secret-cookie',
      'new-secret',
      'hunter2-password',
      '123456',
      '036090001234',
      '0912345678',
      'an@example.vn',
      'tok-123456789',
      '0601234567',
      'ABCD-EFGH',
    ]) {
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

  it('writes exactly what pino redaction with the equivalent paths writes (generated log objects)', () => {
    const keys = fc.constantFrom('password', 'token', 'set-cookie', 'idNumber', 'email', 'name', 'id', 'headers', 'body', 'items', 'x');
    const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('tree'), { maxLength: 3 }),
        fc.dictionary(keys, tie('tree'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(keys, tree, { maxKeys: 5 }), (obj) => {
        const before = JSON.stringify(obj);
        // A copy for the reference: pino's redaction (@pinojs/redact 0.4) sometimes writes the
        // censor into the caller's nested objects; ours never changes them.
        expect(logged(obj)).toBe(loggedByPinoPaths(structuredClone(obj)));
        expect(JSON.stringify(obj)).toBe(before);
      }),
      { numRuns: 400 },
    );
  });

  it('four levels exactly: the fifth is out of reach (as the paths were)', () => {
    const deep = { a: { b: { c: { password: 'lvl4-secret', d: { password: 'lvl5-visible' } } } } };
    const line = logged(deep);
    expect(line).not.toContain('lvl4-secret');
    expect(line).toContain('lvl5-visible');
    expect(line).toBe(loggedByPinoPaths(deep));
  });

  it("hides secrets in child loggers' bindings and in errors (after the error serializer), keeps the request id", () => {
    const { log, lines } = appLogger();
    const child = log
      .child({ reqId: 'req-7', token: 'bound-token-secret', session: { cookie: 'bound-cookie-secret' } })
      .child({ email: 'grandchild@example.vn' });
    const err = Object.assign(new Error('boom'), { details: { password: 'err-password-secret', field: 'kept' } });
    child.error({ err }, 'failed');
    child.error(Object.assign(new Error('bare'), { email: 'bare@example.vn' }));
    const [first, second] = lines()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    for (const secret of ['bound-token-secret', 'bound-cookie-secret', 'grandchild@example.vn', 'err-password-secret', 'bare@example.vn'])
      expect(lines(), secret).not.toContain(secret);
    expect(first).toMatchObject({
      reqId: 'req-7',
      token: '[redacted]',
      session: { cookie: '[redacted]' },
      email: '[redacted]',
      msg: 'failed',
      err: { type: 'Error', message: 'boom', details: { password: '[redacted]', field: 'kept' } },
    });
    expect(first!.err.stack).toContain('Error: boom');
    expect(second).toMatchObject({ msg: 'bare', err: { message: 'bare', email: '[redacted]' } });
    // The error itself is untouched (it may be rethrown and logged elsewhere).
    expect(err.details.password).toBe('err-password-secret');
  });

  it("as Fastify's logger (app.ts): request lines as before, secrets gone from a request's own lines and its errors", async () => {
    const { log, lines } = appLogger();
    const app = Fastify({ loggerInstance: log as FastifyBaseLogger, genReqId: () => 'req-42' });
    app.post('/x', async (req) => {
      req.log.info({ body: req.body, user: { email: 'an@example.vn' } }, 'received');
      throw Object.assign(new Error('bad'), { details: { token: 'thrown-token-secret' } });
    });
    await app.inject({
      method: 'POST',
      url: '/x?page=1',
      payload: { username: 'an', password: 'posted-password' },
      headers: { authorization: 'Bearer header-token-secret', cookie: 'tinhso_session=cookie-secret' },
    });
    await app.close();
    const out = lines();
    for (const secret of ['posted-password', 'an@example.vn', 'thrown-token-secret', 'header-token-secret', 'cookie-secret'])
      expect(out, secret).not.toContain(secret);
    const parsed = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const byMsg = (m: string) => parsed.find((l) => l.msg === m)!;
    expect(byMsg('incoming request')).toEqual({
      level: 30,
      reqId: 'req-42',
      req: { method: 'POST', url: '/x?page=1', host: 'localhost:80', remoteAddress: '127.0.0.1' },
      msg: 'incoming request',
    });
    expect(byMsg('received')).toMatchObject({ reqId: 'req-42', body: { username: 'an', password: '[redacted]' }, user: { email: '[redacted]' } });
    expect(byMsg('bad')).toMatchObject({
      level: 50,
      reqId: 'req-42',
      res: { statusCode: 500 },
      err: { type: 'Error', message: 'bad', details: { token: '[redacted]' } },
    });
    expect(byMsg('request completed')).toMatchObject({ reqId: 'req-42', res: { statusCode: 500 } });
  });

  it('a logged URL shows no search text nor secret query parameter; the rest as it came', () => {
    expect(redactUrl('/api/v1/dossiers?q=036195004321&page=2')).toBe('/api/v1/dossiers?q=[redacted]&page=2');
    expect(redactUrl('/x?page=1&idNumber=036195004321&email=an%40example.vn&%71=a+b')).toBe('/x?page=1&idNumber=[redacted]&email=[redacted]&%71=[redacted]');
    expect(redactUrl('/x?q')).toBe('/x?q');
    expect(redactUrl('/x?%E0%A4%A=1&status=done')).toBe('/x?%E0%A4%A=1&status=done');
    expect(redactUrl('/api/v1/procedures')).toBe('/api/v1/procedures');
  });

  it("a failed query's parameters and PostgreSQL's detail never reach the log; its SQL and codes do", async () => {
    const { log, lines } = appLogger();
    const app = Fastify({ loggerInstance: log as FastifyBaseLogger, genReqId: () => 'req-43' });
    app.get('/dossiers', async () => {
      // As drizzle-orm's DrizzleQueryError wraps a pg error (the values may hold line breaks).
      const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
        code: '23505',
        detail: 'Key (email)=(an@example.vn) already exists.',
      });
      const params = ['Nguyễn Văn An', 'an@example.vn', 'dòng một\ndòng hai 1990-02-01'];
      throw Object.assign(new Error(`Failed query: insert into users (name, email, note) values ($1, $2, $3)\nparams: ${String(params)}`), {
        query: 'insert into users (name, email, note) values ($1, $2, $3)',
        params,
        cause,
      });
    });
    await app.inject({ method: 'GET', url: '/dossiers?q=036195004321' });
    await app.close();
    const out = lines();
    for (const secret of ['Nguyễn Văn An', 'an@example.vn', '1990-02-01', 'dòng hai', '036195004321']) expect(out, secret).not.toContain(secret);
    const failed = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>)
      .find((l) => l.level === 50)!;
    expect(failed.err.message).toContain('insert into users (name, email, note) values ($1, $2, $3)\nparams: [redacted]');
    expect(failed.err.stack).toContain('params: [redacted]');
    expect(failed.err).toMatchObject({ query: 'insert into users (name, email, note) values ($1, $2, $3)', params: '[redacted]' });
    expect(failed.req.url).toBe('/dossiers?q=[redacted]');
  });
});
