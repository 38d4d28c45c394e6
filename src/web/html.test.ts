import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.ts';

describe('html', () => {
  it('escapes every interpolated string', () => {
    const x = `<script>alert("x")</script>&'`;
    expect(html`<p>${x}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
  });

  it('keeps attribute values inside their quotes', () => {
    const v = `" onmouseover="alert(1)`;
    expect(html`<input value="${v}">`.value).toBe('<input value="&quot; onmouseover=&quot;alert(1)">');
    expect(html`<input value='${"' autofocus onfocus='alert(1)"}'>`.value).not.toContain("' autofocus");
  });

  it('does not escape nested templates or raw fragments twice', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${raw('<br>')}</p>`.value).toBe('<p><b>&lt;i&gt;</b><br></p>');
  });

  it('joins arrays and escapes their items', () => {
    expect(html`<ul>${['<a>', 'b'].map((s) => html`<li>${s}</li>`)}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    expect(html`${['<x>', 1]}`.value).toBe('&lt;x&gt;1');
  });

  it('renders nothing for null, undefined and booleans', () => {
    const no = false as boolean;
    expect(html`a${null}${undefined}${no && html`<b>x</b>`}${true}b`.value).toBe('ab');
    expect(html`${0}`.value).toBe('0');
  });

  it('escapes common XSS payloads', () => {
    for (const p of ['<img src=x onerror=alert(1)>', '"><svg/onload=alert(1)>', "'-alert(1)-'", '</title><script>1</script>']) {
      const out = escapeHtml(p);
      expect(out).not.toMatch(/[<>"']/);
    }
  });
});
