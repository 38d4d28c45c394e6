/**
 * Reading the development outbox (DATA_DIR/outbox): .eml files from the SMTP sink and .json files
 * from the SMS sink. Includes a small MIME reader for what nodemailer sends (RFC 5322 headers,
 * RFC 2047 encoded words, quoted-printable or base64 bodies, multipart → the first text/plain).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoredSms } from './notifications.sinks.ts';

export interface ParsedEmail {
  headers: Map<string, string>;
  subject: string;
  from: string;
  to: string;
  messageId: string;
  text: string;
}

/** RFC 2047: =?UTF-8?Q?...?= and =?UTF-8?B?...?= words; whitespace between adjacent words dropped. */
export function decodeWords(s: string): string {
  return s
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            );
      return new TextDecoder(charset.toLowerCase() === 'utf8' ? 'utf-8' : charset.toLowerCase()).decode(bytes);
    });
}

export function decodeQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(out);
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!headers.has(k)) headers.set(k, line.slice(i + 1).trim());
    }
  }
  return { headers, body };
}

function param(header: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header);
  return m ? m[1]! : null;
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const type = headers.get('content-type') ?? 'text/plain; charset=utf-8';
  if (/^multipart\//i.test(type)) {
    const boundary = param(type, 'boundary');
    if (!boundary) return '';
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const p = splitHeaders(part.replace(/^\r?\n/, ''));
      const ptype = p.headers.get('content-type') ?? 'text/plain';
      if (/^(text\/plain|multipart\/)/i.test(ptype)) return decodeBody(p.headers, p.body.replace(/\r?\n$/, ''));
    }
    return '';
  }
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = (param(type, 'charset') ?? 'utf-8').toLowerCase();
  const bytes =
    cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : cte === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'utf8');
  return new TextDecoder(charset === 'utf8' ? 'utf-8' : charset).decode(bytes).replace(/\r\n/g, '\n');
}

/** Parses one message as sent by nodemailer. */
export function parseEmail(raw: string | Buffer): ParsedEmail {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  // Headers are ASCII (encoded words); the body is decoded by its own charset.
  const { headers, body } = splitHeaders(text);
  const utf8Headers = new Map([...headers].map(([k, v]) => [k, decodeWords(v)] as const));
  const bodyText = decodeBody(headers, typeof raw === 'string' ? body : Buffer.from(body, 'latin1').toString('utf8'));
  return {
    headers: utf8Headers,
    subject: utf8Headers.get('subject') ?? '',
    from: utf8Headers.get('from') ?? '',
    to: utf8Headers.get('to') ?? '',
    messageId: utf8Headers.get('message-id') ?? '',
    text: bodyText.normalize('NFC'),
  };
}

export type OutboxMessage =
  | { kind: 'email'; file: string; to: string; subject: string; text: string; messageId: string }
  | { kind: 'sms'; file: string; to: string; text: string; reference: string; id: string };

/** The latest messages in an outbox folder, newest first. */
export async function readOutbox(dir: string, limit = 20): Promise<OutboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = names
    .filter((n) => n.endsWith('.eml') || n.endsWith('.json'))
    .sort()
    .reverse()
    .slice(0, limit);
  const out: OutboxMessage[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const raw = await readFile(file);
    if (name.endsWith('.eml')) {
      const m = parseEmail(raw);
      out.push({ kind: 'email', file, to: m.to, subject: m.subject, text: m.text, messageId: m.messageId });
    } else {
      const s = JSON.parse(raw.toString('utf8')) as StoredSms;
      out.push({ kind: 'sms', file, to: s.to, text: s.text, reference: s.reference, id: s.id });
    }
  }
  return out;
}
