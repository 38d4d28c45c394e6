import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  addContributions,
  dossierContributions,
  endTime,
  findConfigProblems,
  judgeProgress,
  makePeriod,
  missingMandatoryContent,
  procedureContributions,
  reasonText,
  scoreAll,
  scoreIndicator,
  supplementsBy,
  type Counts,
  type DossierFacts,
  type IndicatorKey,
} from './index-rules.ts';

// Hand-computed fixtures. Period: March 2026 in Vietnam time, i.e. [2026-02-28T17:00Z, 2026-03-31T17:00Z).
const at = (s: string) => new Date(`${s}+07:00`);
const LATER = at('2026-06-01T08:00:00');
const MARCH = makePeriod('2026-03-01', '2026-03-31', LATER);

function facts(over: Partial<DossierFacts> = {}): DossierFacts {
  return {
    status: 'done',
    channel: 'in_person',
    receivedAt: at('2026-03-02T08:00:00'),
    finishedAt: at('2026-03-05T10:00:00'),
    returnedAt: null,
    pausedAt: null,
    pauses: [],
    supplementCount: 0,
    indexDueAt: at('2026-03-06T17:00:00'),
    resultKind: 'paper',
    electronicResult: false,
    paymentRequested: false,
    offeredOnline: true,
    feeBearing: false,
    componentsAttached: true,
    reused: false,
    isPaidOnline: false,
    rating: null,
    ...over,
  };
}

describe('makePeriod', () => {
  it('covers whole Vietnamese days, inclusive, and judges open dossiers at the end or now', () => {
    expect(MARCH.start.toISOString()).toBe('2026-02-28T17:00:00.000Z');
    expect(MARCH.end.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(MARCH.judgeAt).toEqual(MARCH.end);
    const running = makePeriod('2026-03-01', '2026-03-31', at('2026-03-20T09:00:00'));
    expect(running.judgeAt).toEqual(at('2026-03-20T09:00:00'));
  });
});

describe('endTime: done > returned > stopped/refused', () => {
  it.each([
    ['done uses the approval time', { status: 'done', finishedAt: at('2026-03-05T10:00:00'), returnedAt: null }, '2026-03-05T10:00:00'],
    [
      'returned uses the approval, not the hand-over',
      { status: 'returned', finishedAt: at('2026-03-05T10:00:00'), returnedAt: at('2026-03-09T10:00:00') },
      '2026-03-05T10:00:00',
    ],
    [
      'returned without an approval time falls back to the return',
      { status: 'returned', finishedAt: null, returnedAt: at('2026-03-09T10:00:00') },
      '2026-03-09T10:00:00',
    ],
    ['stopped uses the decision', { status: 'stopped', finishedAt: at('2026-03-07T10:00:00'), returnedAt: null }, '2026-03-07T10:00:00'],
    ['refused uses the decision', { status: 'refused', finishedAt: at('2026-03-07T10:00:00'), returnedAt: null }, '2026-03-07T10:00:00'],
    ['an open dossier has none', { status: 'in_progress', finishedAt: null, returnedAt: null }, null],
  ] as const)('%s', (_name, f, expected) => {
    const e = endTime(f as Pick<DossierFacts, 'status' | 'finishedAt' | 'returnedAt'>);
    expect(e).toEqual(expected === null ? null : at(expected));
  });
});

describe('judgeProgress (DOMAIN section 7 rules)', () => {
  const cases: [
    string,
    Partial<DossierFacts>,
    ReturnType<typeof judgeProgress> extends infer V ? Partial<V & { reason: string; excluded: string }> : never,
    ReturnType<typeof makePeriod>?,
  ][] = [
    ['finished before the due date: on time', {}, { counted: true, onTime: true, reason: 'on_time' }],
    ['finished exactly at the due date: on time', { finishedAt: at('2026-03-06T17:00:00') }, { counted: true, onTime: true, reason: 'on_time' }],
    ['finished one minute late: late', { finishedAt: at('2026-03-06T17:01:00') }, { counted: true, onTime: false, reason: 'late' }],
    ['never received: not counted', { status: 'submitted', receivedAt: null, finishedAt: null }, { counted: false, excluded: 'not_received' }],
    [
      'withdrawn before reception: not counted',
      { status: 'withdrawn', receivedAt: null, finishedAt: at('2026-03-04T10:00:00') },
      { counted: false, excluded: 'not_received' },
    ],
    [
      'withdrawn after reception, before the due date: counted on time',
      { status: 'withdrawn', finishedAt: at('2026-03-04T10:00:00') },
      { counted: true, onTime: true },
    ],
    [
      'withdrawn after reception, after the due date: counted late',
      { status: 'withdrawn', finishedAt: at('2026-03-10T10:00:00') },
      { counted: true, onTime: false, reason: 'late' },
    ],
    [
      'returned late but approved on time: on time (done precedes returned)',
      { status: 'returned', finishedAt: at('2026-03-06T16:00:00'), returnedAt: at('2026-03-12T09:00:00') },
      { counted: true, onTime: true },
    ],
    ['stopped after the due date: late', { status: 'stopped', finishedAt: at('2026-03-09T09:00:00') }, { counted: true, onTime: false, reason: 'late' }],
    [
      'two supplement requests: late even if on time',
      {
        supplementCount: 2,
        pauses: [
          { from: at('2026-03-02T09:00:00'), to: at('2026-03-02T10:00:00') },
          { from: at('2026-03-03T09:00:00'), to: at('2026-03-03T10:00:00') },
        ],
      },
      { counted: true, onTime: false, reason: 'too_many_supplements' },
    ],
    [
      'one supplement request: still on time',
      { supplementCount: 1, pauses: [{ from: at('2026-03-02T09:00:00'), to: at('2026-03-03T09:00:00') }] },
      { counted: true, onTime: true },
    ],
    [
      'ended before the period: outside',
      { receivedAt: at('2026-02-20T08:00:00'), finishedAt: at('2026-02-27T08:00:00'), indexDueAt: at('2026-02-26T17:00:00') },
      { counted: false, excluded: 'outside_period' },
    ],
    [
      'received after the period: outside',
      { receivedAt: at('2026-04-02T08:00:00'), finishedAt: at('2026-04-03T08:00:00'), indexDueAt: at('2026-04-06T17:00:00') },
      { counted: false, excluded: 'outside_period' },
    ],
    [
      'open at the end of the period and past due by then: late',
      { status: 'in_progress', receivedAt: at('2026-03-20T08:00:00'), finishedAt: null, indexDueAt: at('2026-03-27T17:00:00') },
      { counted: true, onTime: false, reason: 'unfinished_late' },
    ],
    [
      'finished after the period but past due at its end: judged at the end, late',
      { status: 'done', receivedAt: at('2026-03-20T08:00:00'), finishedAt: at('2026-04-03T08:00:00'), indexDueAt: at('2026-03-27T17:00:00') },
      { counted: true, onTime: false, reason: 'unfinished_late' },
    ],
    [
      'open at the end of the period and still within time: no outcome yet, not counted',
      { status: 'in_progress', receivedAt: at('2026-03-27T08:00:00'), finishedAt: null, indexDueAt: at('2026-04-03T17:00:00') },
      { counted: false, excluded: 'unfinished_within_time' },
    ],
    [
      'waiting for a supplement since before its due date: the clock stopped, not late',
      {
        status: 'supplement_requested',
        receivedAt: at('2026-03-20T08:00:00'),
        finishedAt: null,
        pausedAt: at('2026-03-24T08:00:00'),
        supplementCount: 1,
        indexDueAt: at('2026-03-27T17:00:00'),
      },
      { counted: false, excluded: 'unfinished_within_time' },
    ],
    [
      'stopped while waiting for a supplement: judged at the pause',
      { status: 'stopped', finishedAt: at('2026-03-20T08:00:00'), pausedAt: at('2026-03-05T08:00:00'), supplementCount: 1 },
      { counted: true, onTime: true, reason: 'on_time' },
    ],
    [
      'extended: judged against the deadline without the extension',
      { finishedAt: at('2026-03-10T09:00:00'), indexDueAt: at('2026-03-06T17:00:00') },
      { counted: true, onTime: false, reason: 'late' },
    ],
    [
      'open with a closed and an open supplement request by the end: too many supplements',
      {
        status: 'supplement_requested',
        receivedAt: at('2026-03-20T08:00:00'),
        finishedAt: null,
        pauses: [{ from: at('2026-03-21T08:00:00'), to: at('2026-03-23T08:00:00') }],
        pausedAt: at('2026-03-25T08:00:00'),
        supplementCount: 2,
        indexDueAt: at('2026-04-10T17:00:00'),
      },
      { counted: true, onTime: false, reason: 'unfinished_too_many_supplements' },
    ],
    [
      'open: a second request made after the period does not count for it',
      {
        status: 'supplement_requested',
        receivedAt: at('2026-03-20T08:00:00'),
        finishedAt: null,
        pauses: [{ from: at('2026-03-21T08:00:00'), to: at('2026-03-23T08:00:00') }],
        pausedAt: at('2026-04-02T08:00:00'),
        supplementCount: 2,
        indexDueAt: at('2026-04-10T17:00:00'),
      },
      { counted: false, excluded: 'unfinished_within_time' },
    ],
    [
      'a period not over yet judges open dossiers now: past due now is late',
      { status: 'in_progress', receivedAt: at('2026-03-02T08:00:00'), finishedAt: null, indexDueAt: at('2026-03-10T17:00:00') },
      { counted: true, onTime: false, reason: 'unfinished_late' },
      makePeriod('2026-03-01', '2026-03-31', at('2026-03-15T09:00:00')),
    ],
    [
      'a period not over yet: due later than now is not counted yet',
      { status: 'in_progress', receivedAt: at('2026-03-10T08:00:00'), finishedAt: null, indexDueAt: at('2026-03-20T17:00:00') },
      { counted: false, excluded: 'unfinished_within_time' },
      makePeriod('2026-03-01', '2026-03-31', at('2026-03-15T09:00:00')),
    ],
  ];
  it.each(cases)('%s', (_name, over, expected, period) => {
    expect(judgeProgress(facts(over), period ?? MARCH)).toMatchObject(expected);
  });

  it('records the instant the clock stopped and the supplements counted', () => {
    const v = judgeProgress(
      facts({ status: 'stopped', finishedAt: at('2026-03-20T08:00:00'), pausedAt: at('2026-03-05T08:00:00'), supplementCount: 1 }),
      MARCH,
    );
    expect(v).toMatchObject({ counted: true, clockEnd: at('2026-03-05T08:00:00'), supplements: 1 });
  });

  it('counts supplement requests up to an instant', () => {
    const f = { pauses: [{ from: at('2026-03-02T08:00:00'), to: at('2026-03-03T08:00:00') }], pausedAt: at('2026-03-10T08:00:00') };
    expect(supplementsBy(f, at('2026-03-01T08:00:00'))).toBe(0);
    expect(supplementsBy(f, at('2026-03-05T08:00:00'))).toBe(1);
    expect(supplementsBy(f, at('2026-03-10T08:00:00'))).toBe(2);
  });
});

describe('dossierContributions', () => {
  it('a late, paper-result dossier resolved and received in the period', () => {
    const c = dossierContributions(
      facts({ finishedAt: at('2026-03-09T10:00:00'), channel: 'online', feeBearing: true, paymentRequested: true, isPaidOnline: true, reused: true }),
      MARCH,
    );
    expect(c).toEqual({
      'progress.on_time': { counted: false, reason: 'late' },
      'digitisation.electronic_result': { counted: false, reason: 'no_electronic_result' },
      'satisfaction.dossier_satisfaction': { counted: false, reason: 'late' },
      'digitisation.digitised': { counted: true, reason: 'digitised' },
      'digitisation.reused': { counted: true, reason: 'reused' },
      'online.online_dossiers': { counted: false, reason: 'online_paper_result' },
      'online.paid_online': { counted: true, reason: 'paid_online' },
    });
  });

  it('an on-time electronic-result dossier rated dissatisfied', () => {
    const c = dossierContributions(
      facts({
        status: 'returned',
        returnedAt: at('2026-03-06T09:00:00'),
        resultKind: 'both',
        electronicResult: true,
        channel: 'online',
        rating: 'dissatisfied',
      }),
      MARCH,
    );
    expect(c['digitisation.electronic_result']).toEqual({ counted: true, reason: 'electronic_result' });
    expect(c['satisfaction.dossier_satisfaction']).toEqual({ counted: false, reason: 'rated_dissatisfied' });
    expect(c['online.online_dossiers']).toEqual({ counted: true, reason: 'online' });
    expect(c['online.paid_online']).toBeUndefined(); // no fee: not in the denominator
  });

  it('the electronic result is the dossier’s, not the procedure’s (QA 13b findings 1 and 4)', () => {
    const onlineResolved = { status: 'returned' as const, returnedAt: at('2026-03-06T09:00:00'), channel: 'online' as const };
    // An electronic-result procedure, nothing sealed: no electronic result given; online dossier counts (no paper result to replace).
    const electronic = dossierContributions(facts({ ...onlineResolved, resultKind: 'electronic' }), MARCH);
    expect(electronic['digitisation.electronic_result']).toEqual({ counted: false, reason: 'no_electronic_result' });
    expect(electronic['online.online_dossiers']).toEqual({ counted: true, reason: 'online' });
    // 'both' may return paper: without a sealed result it counts in neither.
    const both = dossierContributions(facts({ ...onlineResolved, resultKind: 'both' }), MARCH);
    expect(both['digitisation.electronic_result']).toEqual({ counted: false, reason: 'no_electronic_result' });
    expect(both['online.online_dossiers']).toEqual({ counted: false, reason: 'online_paper_result' });
    // A paper-result procedure whose dossier was given a sealed electronic result counts in both.
    const paperSealed = dossierContributions(facts({ ...onlineResolved, resultKind: 'paper', electronicResult: true }), MARCH);
    expect(paperSealed['digitisation.electronic_result']).toEqual({ counted: true, reason: 'electronic_result' });
    expect(paperSealed['online.online_dossiers']).toEqual({ counted: true, reason: 'online' });
  });

  it('paid online counts only fee-bearing dossiers asked to pay (QA 13b finding 8)', () => {
    expect(dossierContributions(facts({ feeBearing: true, paymentRequested: false }), MARCH)['online.paid_online']).toBeUndefined();
    expect(dossierContributions(facts({ feeBearing: true, paymentRequested: true }), MARCH)['online.paid_online']).toEqual({
      counted: false,
      reason: 'not_paid_online',
    });
  });

  it('a stopped dossier is not resolved; an in-person one for an offline procedure is not an online-service dossier', () => {
    const c = dossierContributions(facts({ status: 'stopped', offeredOnline: false, componentsAttached: false }), MARCH);
    expect(c['digitisation.electronic_result']).toBeUndefined();
    expect(c['satisfaction.dossier_satisfaction']).toBeUndefined();
    expect(c['online.online_dossiers']).toBeUndefined();
    expect(c['digitisation.digitised']).toEqual({ counted: false, reason: 'components_missing' });
    expect(c['progress.on_time']).toEqual({ counted: true, reason: 'on_time' });
  });

  it('received before the period and resolved in it: progress and resolution only', () => {
    const c = dossierContributions(facts({ receivedAt: at('2026-02-25T08:00:00'), channel: 'in_person' }), MARCH);
    expect(Object.keys(c).sort()).toEqual(['digitisation.electronic_result', 'progress.on_time', 'satisfaction.dossier_satisfaction']);
  });

  it('received in the period and still open within time: only the reception-based indicators', () => {
    const c = dossierContributions(
      facts({ status: 'in_progress', finishedAt: null, receivedAt: at('2026-03-30T08:00:00'), indexDueAt: at('2026-04-06T17:00:00'), channel: 'post' }),
      MARCH,
    );
    expect(Object.keys(c).sort()).toEqual(['digitisation.digitised', 'digitisation.reused', 'online.online_dossiers']);
    expect(c['online.online_dossiers']).toEqual({ counted: false, reason: 'not_online' });
  });

  it('adds up into counts', () => {
    const counts: Partial<Record<IndicatorKey, Counts>> = {};
    addContributions(counts, dossierContributions(facts(), MARCH));
    addContributions(counts, dossierContributions(facts({ finishedAt: at('2026-03-09T10:00:00') }), MARCH));
    addContributions(counts, dossierContributions(facts({ status: 'submitted', receivedAt: null, finishedAt: null }), MARCH));
    expect(counts['progress.on_time']).toEqual({ numerator: 1, denominator: 2 });
    expect(counts['digitisation.digitised']).toEqual({ numerator: 2, denominator: 2 });
  });
});

describe('scoring', () => {
  it.each([
    [45, 50, 0.8, 20, 0.9, 20],
    [40, 50, 0.8, 20, 0.8, 20],
    [30, 50, 0.8, 20, 0.6, 15],
    [1, 4, 0.5, 6, 0.25, 3],
    [2, 3, 0.9, 6, 0.6667, 4.44],
    [0, 7, 0.8, 4, 0, 0],
  ])('%i/%i with target %f of %i points: ratio %f, score %f', (n, d, target, max, ratio, score) => {
    expect(scoreIndicator(n, d, target, max)).toEqual({ ratio, score, applicable: true });
  });

  it('no denominator: not applicable, never zero', () => {
    expect(scoreIndicator(0, 0, 0.8, 20)).toEqual({ ratio: null, score: null, applicable: false });
  });

  it('totals only what applies', () => {
    const s = scoreAll(DEFAULT_CONFIG, { 'progress.on_time': { numerator: 30, denominator: 50 }, 'online.online_dossiers': { numerator: 1, denominator: 4 } });
    expect(s.total).toBe(18);
    expect(s.max).toBe(26);
    expect(s.percent).toBe(69.23);
    const progress = s.groups.find((g) => g.key === 'progress')!;
    expect(progress).toMatchObject({ max: 20, applicableMax: 20, score: 15 });
    const transparency = s.groups.find((g) => g.key === 'transparency')!;
    expect(transparency).toMatchObject({ max: 18, applicableMax: 0, score: null });
    expect(transparency.indicators.every((i) => !i.applicable && i.score === null)).toBe(true);
  });

  it('nothing applicable: percent is null', () => {
    expect(scoreAll(DEFAULT_CONFIG, {})).toMatchObject({ total: 0, max: 0, percent: null });
  });
});

describe('configuration', () => {
  it('the seeded configuration is valid and adds up to 100', () => {
    expect(findConfigProblems(DEFAULT_CONFIG)).toEqual([]);
    expect(DEFAULT_CONFIG.groups.reduce((a, g) => a + g.max, 0)).toBe(100);
  });

  it('rejects points that do not add up to the group maximum, unknown or missing keys and bad targets', () => {
    const bad = structuredClone(DEFAULT_CONFIG);
    bad.indicators.find((i) => i.key === 'progress.on_time')!.points = 18;
    bad.indicators.find((i) => i.key === 'online.used')!.target = 0;
    bad.indicators = bad.indicators.filter((i) => i.key !== 'digitisation.vneid');
    const messages = findConfigProblems(bad).map((p) => `${p.path}: ${p.message}`);
    expect(messages.some((m) => m.includes('nhóm progress (18)'))).toBe(true);
    expect(messages.some((m) => m.includes('Thiếu chỉ số digitisation.vneid'))).toBe(true);
    expect(messages.some((m) => m.endsWith('.target: Chỉ tiêu phải trong (0, 1]'))).toBe(true);
    const unknown = { ...DEFAULT_CONFIG, indicators: [...DEFAULT_CONFIG.indicators, { key: 'x.y' as IndicatorKey, points: 0, target: 0.8 }] };
    expect(findConfigProblems(unknown).some((p) => p.message.includes('không tồn tại'))).toBe(true);
  });
});

describe('procedure-based indicators', () => {
  const def = {
    name: 'Đăng ký khai sinh',
    steps: 'Nộp hồ sơ',
    channels: ['in_person', 'online'],
    components: [],
    duration: { value: 1, unit: 'working_days' },
    eligibility: 'Công dân',
    competentAgencyCode: 'UBND-13669',
    resultDescription: 'Giấy khai sinh',
    legalBasis: ['Luật Hộ tịch 2014'],
    fees: [],
  };

  it('finds missing mandatory content', () => {
    expect(missingMandatoryContent(def)).toEqual([]);
    expect(missingMandatoryContent({ ...def, legalBasis: [], steps: ' ' })).toEqual(['steps', 'legalBasis']);
  });

  it('classifies a procedure', () => {
    expect(procedureContributions({ definition: def, offeredOnline: true, feeBearing: true, hasOnlineDossier: false, hasPaidOnlineDossier: true })).toEqual({
      'transparency.complete_content': { counted: true, reason: 'complete' },
      'online.offered': { counted: true, reason: 'offered_online' },
      'online.used': { counted: false, reason: 'online_unused' },
      'online.payment_integrated': { counted: true, reason: 'payment_integrated' },
    });
    const offline = procedureContributions({ definition: def, offeredOnline: false, feeBearing: false, hasOnlineDossier: false, hasPaidOnlineDossier: false });
    expect(offline['online.offered']).toEqual({ counted: false, reason: 'not_offered_online' });
    expect(offline['online.used']).toBeUndefined();
    expect(offline['online.payment_integrated']).toBeUndefined();
  });
});

describe('reason texts', () => {
  it('say how late, in working days, in Vietnamese', () => {
    expect(reasonText('late', { lateWorkingDays: 1.5 })).toBe('Trễ hạn 1,5 ngày làm việc');
    expect(reasonText('too_many_supplements', { supplements: 3 })).toBe('Yêu cầu bổ sung 3 lần (quá 1 lần tính là trễ hạn)');
    expect(reasonText('no_electronic_result')).toBe('Không được cấp kết quả điện tử (không có kết quả được ký số)');
  });
});
