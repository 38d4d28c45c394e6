/**
 * Development sinks: a real SMTP server and a real HTTP server speaking the SMS gateway protocol
 * (notifications.channels.ts), both keeping every message as a file under DATA_DIR/outbox
 * (email as .eml, SMS as .json) so a person (`npm run outbox`) and the tests can read them.
 * main.ts starts them outside production when SMTP_URL / SMS_GATEWAY_URL are not set.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface Sink {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A sortable, unique file name: 2026-11-26T09-30-00-123Z-1a2b3c4d. */
function fileStem(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
}

const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/** An SMTP server on 127.0.0.1 that accepts every message and writes it to `dir` as an .eml file. */
export async function startSmtpSink(opts: { dir: string; port?: number; host?: string }): Promise<Sink> {
  await mkdir(opts.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'tinhso development SMTP sink',
    size: MAX_MESSAGE_BYTES,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        writeFile(path.join(opts.dir, `${fileStem()}.eml`), Buffer.concat(chunks), { flag: 'wx' }).then(
          () => callback(),
          (err: unknown) => callback(Object.assign(new Error(`could not store the message: ${(err as Error).message}`), { responseCode: 451 })),
        );
      });
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The stored form of one SMS. */
export interface StoredSms {
  id: string;
  to: string;
  text: string;
  reference: string;
  receivedAt: string;
}

/**
 * An HTTP server on 127.0.0.1 accepting the SMS gateway protocol at any path: POST JSON
 * {to, text, reference} with `Authorization: Bearer <token>` when a token is set. Answers 202
 * {id}, 401 for a wrong token, 400 for a malformed message; stores each message as .json.
 */
export async function startSmsSink(opts: { dir: string; token?: string | undefined; port?: number; host?: string }): Promise<Sink> {
  await mkdir(opts.dir, { recursive: true });
  const reply = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'method not allowed' });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return reply(res, 401, { error: 'bad token' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let msg: { to?: unknown; text?: unknown; reference?: unknown };
      try {
        msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof msg;
      } catch {
        return reply(res, 400, { error: 'body must be JSON' });
      }
      if (
        typeof msg.to !== 'string' ||
        !/^\d{8,15}$/.test(msg.to) ||
        typeof msg.text !== 'string' ||
        !msg.text ||
        msg.text.length > 1600 ||
        typeof msg.reference !== 'string'
      ) {
        return reply(res, 400, { error: 'expected {to: digits, text: string, reference: string}' });
      }
      const stem = fileStem();
      const stored: StoredSms = { id: `sms-${stem.slice(-8)}`, to: msg.to, text: msg.text, reference: msg.reference, receivedAt: new Date().toISOString() };
      writeFile(path.join(opts.dir, `${stem}.json`), `${JSON.stringify(stored, null, 2)}\n`, { flag: 'wx' }).then(
        () => reply(res, 202, { id: stored.id }),
        () => reply(res, 503, { error: 'could not store the message' }),
      );
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/sms`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
