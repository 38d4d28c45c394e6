/**
 * A tiny HTML template tag that escapes by default. Every interpolated value is escaped
 * (& < > " ') unless it is already `SafeHtml` (the result of `html` or of an explicit `raw`).
 * Arrays are joined without separators, so `${items.map((i) => html`<li>${i}</li>`)}` works;
 * null, undefined and booleans render nothing, so `${cond && html`...`}` works too.
 *
 * Escaping quotes as well makes values safe inside quoted attributes. It does not make a
 * user-supplied URL safe in href (javascript:): build links from our own paths only.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Marks a trusted fragment as HTML. Never pass user input. */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || typeof v === 'boolean') return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
