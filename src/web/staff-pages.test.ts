import { describe, expect, it } from 'vitest';
import type { PageCtx } from './layout.ts';
import { messageHtml } from './application-pages.ts';
import { counterIntake, intakeRefusalWords, paymentsSection, worklistPage, type Desk, type WorklistView } from './staff-pages.ts';

// Counter intake's rule and its reasons in words: the receiving centres' Vietnamese names are
// marked lang="vi" inside an English sentence, and escaped like every value put into a page.

const vi: PageCtx = { locale: 'vi', userName: null, csrf: null, path: '/' };
const en: PageCtx = { ...vi, locale: 'en' };

const centre = { id: '00000000-0000-7000-8000-000000000001', code: 'TTPVHCC', name: 'Trung tâm Phục vụ hành chính công tỉnh' };
const commune = { id: '00000000-0000-7000-8000-000000000002', code: 'TTPVHCC-13669', name: 'Trung tâm <Xã> & "Hòa"' };
const proc = (channels: ('in_person' | 'online' | 'post')[], receivingAgencies = [centre, commune]) => ({
  receivingAgencies,
  definition: { channels, applicantTypes: ['citizen' as const] },
});

describe('counterIntake', () => {
  const desk: Desk = { scope: [commune.id, centre.id], ownCode: commune.code };

  it('offers a procedure with the in-person channel received within the scope, as the desk’s own centre first', () => {
    expect(counterIntake(desk, proc(['online', 'in_person']))).toEqual({ agency: commune });
    expect(counterIntake({ scope: [centre.id, commune.id], ownCode: 'UBND-13669' }, proc(['in_person']))).toEqual({ agency: centre });
  });

  it('says why not: no in-person channel, or no receiving centre in the scope', () => {
    expect(counterIntake(desk, proc(['online']))).toEqual({ refusal: 'DOSSIER_CHANNEL_NOT_ALLOWED' });
    expect(counterIntake({ scope: [commune.id], ownCode: commune.code }, proc(['in_person'], [centre]))).toEqual({ refusal: 'DOSSIER_AGENCY_NOT_RECEIVING' });
  });
});

describe('intakeRefusalWords', () => {
  it('names the receiving centres, each marked as Vietnamese on an English page and escaped', () => {
    expect(String(intakeRefusalWords(en, proc(['in_person']), 'DOSSIER_AGENCY_NOT_RECEIVING'))).toBe(
      'it is received at <span lang="vi">Trung tâm Phục vụ hành chính công tỉnh</span>, <span lang="vi">Trung tâm &lt;Xã&gt; &amp; &quot;Hòa&quot;</span>',
    );
    expect(String(intakeRefusalWords(vi, proc(['in_person']), 'DOSSIER_AGENCY_NOT_RECEIVING'))).toBe(
      'nơi tiếp nhận là Trung tâm Phục vụ hành chính công tỉnh, Trung tâm &lt;Xã&gt; &amp; &quot;Hòa&quot;',
    );
    expect(String(intakeRefusalWords(en, proc(['in_person'], []), 'DOSSIER_AGENCY_NOT_RECEIVING'))).toBe('it is received at —');
    expect(String(intakeRefusalWords(en, proc(['online']), 'DOSSIER_CHANNEL_NOT_ALLOWED'))).toBe('the procedure takes no dossiers in person');
  });

  it('goes into a message as markup, the message’s other values escaped', () => {
    const why = intakeRefusalWords(en, proc(['in_person'], [centre]), 'DOSSIER_AGENCY_NOT_RECEIVING');
    expect(String(messageHtml(en, 'staff.in.errNotHere', { code: '<1.001776>', why }))).toBe(
      'Your desk does not take procedure &lt;1.001776&gt;: it is received at <span lang="vi">Trung tâm Phục vụ hành chính công tỉnh</span>.',
    );
    // A parameter not given stays as written, as `t` leaves it.
    expect(String(messageHtml(vi, 'staff.in.errNotHere', { why: intakeRefusalWords(vi, proc(['in_person'], [centre]), 'DOSSIER_AGENCY_NOT_RECEIVING') }))).toBe(
      'Quầy của bạn không tiếp nhận thủ tục {code}: nơi tiếp nhận là Trung tâm Phục vụ hành chính công tỉnh.',
    );
  });
});

describe('worklistPage', () => {
  const view = (over: Partial<WorklistView>): WorklistView => ({
    tab: 'all',
    counts: { receive: 0, mine: 0, supplement: 0, payment: 0, soon: 0, overdue: 0, all: 400 },
    rows: [],
    total: 400,
    page: 1,
    pageSize: 25,
    filters: { q: '', status: '', procedure: '', overdue: false, dueWithin: '' },
    procedures: [],
    errors: [],
    ...over,
  });
  const pagerLinks = (page: number) =>
    [
      ...worklistPage(vi, view({ page }))
        .split('<nav class="pager"')[1]!
        .split('</nav>')[0]!
        .matchAll(/<a href="([^"]+)"[^>]*>([^<]+)</g),
    ].map((m) => [m[2], new URL(m[1]!.replaceAll('&amp;', '&'), 'http://x').searchParams.get('trang') ?? '1']);

  it('links the first and last pages as well as the next and previous ones', () => {
    expect(pagerLinks(1)).toEqual([
      ['Trang sau', '2'],
      ['Trang cuối', '16'],
    ]);
    expect(pagerLinks(2)).toEqual([
      ['Trang trước', '1'],
      ['Trang sau', '3'],
      ['Trang cuối', '16'],
    ]);
    expect(pagerLinks(8)).toEqual([
      ['Trang đầu', '1'],
      ['Trang trước', '7'],
      ['Trang sau', '9'],
      ['Trang cuối', '16'],
    ]);
    expect(pagerLinks(16)).toEqual([
      ['Trang đầu', '1'],
      ['Trang trước', '15'],
    ]);
  });

  it('says when the search or filters, not the group, leave nothing to show', () => {
    const empty = worklistPage(vi, view({ total: 0 }));
    expect(empty).toContain('Không có hồ sơ nào trong nhóm này.');
    const searched = worklistPage(en, view({ total: 0, filters: { q: 'zzzz', status: '', procedure: '', overdue: false, dueWithin: '' } }));
    expect(searched).toContain('No dossier in this group matches the search and filters.');
    expect(searched).not.toContain('No dossier in this group.');
  });
});

describe('paymentsSection', () => {
  const held = {
    id: 't1',
    transactionId: 'FT26112800001',
    status: 'held',
    holdReason: 'already_paid',
    holdReasonText: null,
    reference: 'TSABC',
    amount: 40_000,
    expectedAmount: 40_000,
    paymentId: null,
    dossierCode: 'X',
    paidAt: null,
    receivedAt: '2026-11-28T09:00:00+07:00',
    payerName: null,
    description: null,
    resolvedAt: null,
    resolutionNote: null,
    refund: null,
  };
  it('sends those who decide on held transfers to the payments page, and no one else', () => {
    const link = 'href="/can-bo/thanh-toan"';
    expect(String(paymentsSection({ ...vi, roles: ['leader'] }, { items: [], transfers: [held] }))).toContain(link);
    expect(String(paymentsSection({ ...vi, roles: ['reception'] }, { items: [], transfers: [held] }))).not.toContain(link);
    expect(String(paymentsSection({ ...vi, roles: ['leader'] }, { items: [], transfers: [{ ...held, status: 'confirmed' }] }))).not.toContain(link);
  });
});
