import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { multipart, type TestApp } from './harness.ts';

/** A browser-like client for the server-rendered pages: forms, cookies and CSRF tokens. */
export type WebRes = { status: number; body: string; headers: Record<string, unknown> };

export function webClient(t: () => TestApp) {
  const wrap = (res: { statusCode: number; body: string; headers: Record<string, unknown> }): WebRes => ({
    status: res.statusCode,
    body: res.body,
    headers: res.headers,
  });
  const get = async (url: string, cookie?: string) => wrap(await t().app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} }));
  const postForm = async (url: string, form: Record<string, string>, cookie?: string) =>
    wrap(
      await t().app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      }),
    );
  const upload = async (url: string, fields: Record<string, string>, file: { name: string; type: string; data: Buffer }, cookie: string) => {
    const m = multipart(fields, file);
    return wrap(await t().app.inject({ method: 'POST', url, payload: m.payload, headers: { ...m.headers, cookie } }));
  };
  /** Signs in through the form; `cookie` is the session cookie pair to send afterwards. */
  const signIn = async (username: string, next = '/') => {
    const page = await get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const res = await postForm('/dang-nhap', { csrf: csrfOf(page.body), username, password: DEMO_PASSWORD, next }, pre);
    return { res, cookie: cookiePair(cookieNamed(res.headers, 'tinhso_session')) };
  };
  return { get, postForm, upload, signIn };
}

export const setCookies = (h: Record<string, unknown>): string[] => {
  const v = h['set-cookie'];
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
};
export const cookieNamed = (h: Record<string, unknown>, name: string) => setCookies(h).find((c) => c.startsWith(`${name}=`));
export const cookiePair = (c: string | undefined) => (c ?? '').split(';')[0]!;
export const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/**
 * The counter intake's step-2 form for a walk-in citizen (Đinh Văn Khách, no phone or email), with
 * the CSRF token and the nonce of the `page` it was read from; `extra` adds or overrides fields.
 */
export const walkInForm = (page: string, procedure: string, extra: Record<string, string> = {}): Record<string, string> => ({
  csrf: csrfOf(page),
  nonce: /name="nonce" value="([^"]+)"/.exec(page)?.[1] ?? '',
  'thu-tuc': procedure,
  'doi-tuong': 'citizen',
  'a-fullName': 'Đinh Văn Khách',
  'a-idNumber': '036177003344',
  'a-phone': '',
  'a-email': '',
  ...extra,
});

/** Text of an HTML attribute or element as the page wrote it, unescaped. */
export const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** What a browser sends for the form posting to `action`: inputs (checked boxes and radios only), selected options, textareas. */
export function formValues(body: string, action: string): Record<string, string> {
  const start = body.indexOf(`action="${action}"`);
  expect(start, `form ${action}`).toBeGreaterThan(-1);
  const form = body.slice(start, body.indexOf('</form>', start));
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    const type = /type="([^"]*)"/.exec(attrs)?.[1] ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(attrs)) continue;
    out[unescapeHtml(name)] = unescapeHtml(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) out[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  for (const m of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!);
    out[unescapeHtml(m[1]!)] = unescapeHtml(selected?.[1] ?? '');
  }
  return out;
}
