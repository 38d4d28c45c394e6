import { describe, expect, it } from 'vitest';
import { sealedResultsList } from './application-pages.ts';
import { layout, nameWithData, vi, type PageCtx } from './layout.ts';
import { html } from './html.ts';

// Vietnamese data on English pages (WCAG 3.1.2): the signed-in person's name in the header, and the
// names of links whose accessible name holds data, are marked lang="vi"; Vietnamese pages are left as they are.

const viPage: PageCtx = { locale: 'vi', userName: 'Nguyễn Văn <An>', csrf: 'tok', path: '/ho-so' };
const enPage: PageCtx = { ...viPage, locale: 'en' };
const header = (page: string) => /<header\b[\s\S]*<\/header>/.exec(page)![0];

describe('the header', () => {
  it('marks the signed-in name on an English page, escaped, and not on a Vietnamese page', () => {
    expect(header(layout(enPage, 'T', html``))).toContain('<a href="/tai-khoan">Signed in as <span lang="vi">Nguyễn Văn &lt;An&gt;</span></a>');
    const vn = header(layout(viPage, 'T', html``));
    expect(vn).toContain('<a href="/tai-khoan">Đang đăng nhập: Nguyễn Văn &lt;An&gt;</a>');
    // A Vietnamese page's header marks nothing (its language switch is lang="en").
    expect(vn).not.toContain('lang="vi"');
    expect(header(layout({ ...enPage, userName: null }, 'T', html``))).not.toContain('Signed in as');
  });
});

describe('nameWithData', () => {
  it('shows the short words to the eye and reads the whole message, its data marked, to a screen reader', () => {
    expect(String(nameWithData(enPage, 'Remove', 'app.removeFile', { name: vi(enPage, 'tờ khai.pdf') }))).toBe(
      '<span aria-hidden="true">Remove</span><span class="visually-hidden">Remove the file <span lang="vi">tờ khai.pdf</span></span>',
    );
    expect(String(nameWithData(viPage, 'Xóa', 'app.removeFile', { name: vi(viPage, 'tờ <khai>.pdf') }))).toBe(
      '<span aria-hidden="true">Xóa</span><span class="visually-hidden">Xóa tệp tờ &lt;khai&gt;.pdf</span>',
    );
  });

  it('names the sealed results’ links from marked text, with no aria-label', () => {
    const item = {
      documentId: '01900000-0000-7000-8000-000000000001',
      fileId: null,
      title: 'Quyết định trợ cấp',
      fileName: 'quyết-định.pdf',
      issuedAt: '2026-11-20T03:00:00Z',
      issuer: { name: 'Sở Nội vụ' },
    };
    const list = String(sealedResultsList(enPage, 'd1', [item]));
    expect(list).not.toContain('aria-label');
    expect(list).toContain(
      '<span aria-hidden="true">Download</span><span class="visually-hidden">Download the file <span lang="vi">quyết-định.pdf</span></span></a>',
    );
    expect(list).toContain(
      '<span aria-hidden="true">Verification page</span><span class="visually-hidden">Verification page of the document <span lang="vi">Quyết định trợ cấp</span></span></a>',
    );
  });
});
