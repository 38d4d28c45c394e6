import { expect } from 'vitest';
import type { WebRes } from './web-client.ts';

// Vietnamese data on English pages (WCAG 3.1.2): the checks test/web-lang-vi.int.test.ts states,
// shared with the tests of other pages.

/** Letters Vietnamese has and English does not: ă â đ ê ô ơ ư and the vowels with a tone mark. */
export const VIETNAMESE = /[àáâãèéêìíòóôõùúýăđĩũơưÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ\u1EA0-\u1EF9]/u;

/** The page's `<body>`: the header (the signed-in name), the navigation, `<main>` and the footer. */
export const bodyOf = (page: string) => {
  const m = /<body\b[^>]*>([\s\S]*)<\/body>/.exec(page);
  expect(m, 'the page has a <body>').not.toBeNull();
  return m![1]!;
};

/** Elements without content or end tag: a `lang="vi"` on one covers its attributes only. */
const VOID = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The markup without the elements that carry `lang="vi"`, their content included (nested elements counted). */
export function withoutVi(markup: string): string {
  let out = markup;
  for (;;) {
    const open = /<([a-z][a-z0-9]*)\b[^>]*\slang="vi"[^>]*>/i.exec(out);
    if (!open) return out;
    const tag = open[1]!.toLowerCase();
    let end = VOID.has(tag) ? open.index + open[0].length : -1;
    const tags = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi');
    tags.lastIndex = open.index + open[0].length;
    let depth = 1;
    for (let m = end < 0 ? tags.exec(out) : null; m; m = tags.exec(out)) {
      depth += m[1] ? -1 : 1;
      if (depth === 0) {
        end = m.index + m[0].length;
        break;
      }
    }
    expect(end, `<${tag} lang="vi"> is closed`).toBeGreaterThan(-1);
    out = out.slice(0, open.index) + out.slice(end);
  }
}

/** Attributes read out or shown as the text of an element (a tooltip, an image's text, a group's label). */
const READ_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'alt', 'placeholder', 'label']);
/** Inputs whose `value` is not shown (a checkbox's or a radio button's is only sent). */
const VALUE_NOT_SHOWN = new Set(['hidden', 'checkbox', 'radio']);

/**
 * Attribute values of the markup's tags that hold Vietnamese letters: the words above, and an
 * input's value (what the desk prefilled, a search typed). An element's `lang` covers its own
 * attributes, so the markup is taken after `withoutVi`.
 */
export function attributeTexts(markup: string): string[] {
  const found: string[] = [];
  for (const [, tag, attrs] of markup.matchAll(/<([a-z][a-z0-9]*)\b([^>]*)>/gi)) {
    const type = /\stype="([^"]*)"/.exec(attrs!)?.[1] ?? 'text';
    for (const [, name, value] of attrs!.matchAll(/\s([a-z-]+)="([^"]*)"/g)) {
      const read = READ_ATTRIBUTES.has(name!) || (name === 'value' && tag!.toLowerCase() === 'input' && !VALUE_NOT_SHOWN.has(type));
      if (read) found.push(`<${tag} ${name}="${value}">`);
    }
  }
  return found;
}

/**
 * Proper names in the English interface's own words (WCAG 3.1.2 leaves proper names out): the
 * portal's name in the header, the province in "Ninh Bình province" (header, footer), a decision's
 * number ("766/QĐ-TTg").
 */
const INTERFACE_WORDS = /Tỉnh Số|Ninh Bình province|QĐ-TTg/g;

/**
 * Text of the English page's `<body>` left outside `lang="vi"` elements that has Vietnamese letters
 * (empty when all is marked): the text between tags, SVG text included, and the attributes read
 * out (`attributeTexts`).
 */
export function unmarked(r: WebRes, loanwords?: RegExp): string[] {
  expect(r.body).toContain('<html lang="en">');
  const rest = withoutVi(bodyOf(r.body));
  const text = rest.replace(/<[^>]*>/g, '\n').split('\n');
  return [...text, ...attributeTexts(rest)]
    .map((s) => (loanwords ? s.replace(loanwords, '') : s).replace(INTERFACE_WORDS, '').trim())
    .filter((s) => VIETNAMESE.test(s));
}

/** A Vietnamese page marks nothing: `lang="vi"` appears only on `<html>`. */
export function expectNoMarks(r: WebRes) {
  expect(r.status, r.body.slice(0, 400)).toBe(200);
  expect(r.body).toContain('<html lang="vi">');
  expect(r.body.split('lang="vi"').length - 1).toBe(1);
}
