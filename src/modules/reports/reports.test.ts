import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../platform/csv.ts';
import { csvField, toCsv } from './csv-write.ts';
import { COUNT_COLUMNS, COUNT_KEYS, flatHeader, imbalance, shapeHandlingReport, type HandlingRaw } from './handling-report.ts';
import { addDays, checkPeriod, dayStart, formatDay, isCalendarDate, monthToDate, periodDays, periodOf, previousPeriod } from './period.ts';

const raw = (o: Partial<HandlingRaw>): HandlingRaw => ({
  agencyCode: 'STP',
  agencyName: 'Sở Tư pháp',
  fieldCode: 'HT',
  fieldName: 'Hộ tịch',
  receivedOnline: 0,
  receivedOffline: 0,
  carriedOver: 0,
  resolvedEarly: 0,
  resolvedOnTime: 0,
  resolvedLate: 0,
  pendingInTime: 0,
  pendingOverdue: 0,
  supplements: 0,
  refusals: 0,
  withdrawals: 0,
  stopped: 0,
  ...o,
});
const meta = { unit: { code: '37', name: 'Tỉnh Ninh Bình' }, from: '2026-10-01', to: '2026-10-31', generatedAt: new Date('2026-11-01T02:00:00Z') };

describe('the handling report shape', () => {
  it('derives the three totals and the grand total by hand', () => {
    const r = shapeHandlingReport(
      [
        raw({
          receivedOnline: 3,
          receivedOffline: 2,
          carriedOver: 4,
          resolvedEarly: 2,
          resolvedOnTime: 1,
          resolvedLate: 3,
          pendingInTime: 1,
          pendingOverdue: 0,
          withdrawals: 1,
          stopped: 1,
          supplements: 2,
          refusals: 5,
        }),
        raw({ agencyCode: 'SXD', agencyName: 'Sở Xây dựng', fieldCode: 'XD', fieldName: 'Xây dựng', receivedOffline: 1, pendingOverdue: 1 }),
      ],
      meta,
    );
    expect(r.rows[0]).toMatchObject({ agencyCode: 'STP', receivedTotal: 9, resolvedTotal: 6, pendingTotal: 1 });
    expect(r.rows[1]).toMatchObject({ agencyCode: 'SXD', receivedTotal: 1, resolvedTotal: 0, pendingTotal: 1, pendingOverdue: 1 });
    expect(r.total).toMatchObject({
      receivedTotal: 10,
      receivedOnline: 3,
      receivedOffline: 3,
      carriedOver: 4,
      resolvedTotal: 6,
      pendingTotal: 2,
      refusals: 5,
      supplements: 2,
    });
    expect(imbalance(r.rows[0]!)).toBe(0);
    expect(imbalance(r.total)).toBe(0);
  });

  it('reports an imbalance when a dossier is missing from the outcomes', () => {
    const r = shapeHandlingReport([raw({ receivedOnline: 2, resolvedOnTime: 1 })], meta);
    expect(imbalance(r.total)).toBe(1);
  });

  it('sorts by agency then field in Vietnamese order and drops empty groups', () => {
    const r = shapeHandlingReport(
      [
        raw({ agencyName: 'Ủy ban nhân dân xã Hải Hậu', agencyCode: 'UBND', receivedOnline: 1 }),
        raw({ agencyName: 'Sở Y tế', agencyCode: 'SYT', fieldName: 'Y tế', receivedOnline: 1 }),
        raw({ agencyName: 'Sở Tư pháp', fieldName: 'Lý lịch tư pháp', fieldCode: 'LLTP', refusals: 1 }),
        raw({ agencyName: 'Sở Tư pháp', fieldName: 'Chứng thực', fieldCode: 'CT', carriedOver: 1 }),
        raw({ agencyName: 'Sở Tư pháp', fieldName: 'Đất đai', fieldCode: 'DD' }),
      ],
      meta,
    );
    expect(r.rows.map((x) => `${x.agencyName}/${x.fieldName}`)).toEqual([
      'Sở Tư pháp/Chứng thực',
      'Sở Tư pháp/Lý lịch tư pháp',
      'Sở Y tế/Y tế',
      'Ủy ban nhân dân xã Hải Hậu/Hộ tịch',
    ]);
  });

  it('has one column per count, totals first in each group', () => {
    expect(COUNT_COLUMNS.map((c) => c.key).sort()).toEqual([...COUNT_KEYS].sort());
    expect(COUNT_COLUMNS.filter((c) => c.sumOf).map((c) => c.key)).toEqual(['receivedTotal', 'resolvedTotal', 'pendingTotal']);
    expect(flatHeader(COUNT_COLUMNS[7]!)).toBe('Số hồ sơ đã giải quyết: quá hạn');
  });
});

describe('periods', () => {
  it('turns Vietnamese days into +07:00 instants', () => {
    expect(dayStart('2026-11-01').toISOString()).toBe('2026-10-31T17:00:00.000Z');
    const p = periodOf('2026-11-01', '2026-11-30');
    expect(p.end.toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(periodDays(p)).toBe(30);
  });

  it('finds the previous period of equal length', () => {
    expect(previousPeriod({ from: '2026-11-01', to: '2026-11-30' })).toMatchObject({ from: '2026-10-01', to: '2026-10-31' });
    expect(previousPeriod({ from: '2026-01-01', to: '2026-03-31' })).toMatchObject({ from: '2025-10-01', to: '2025-12-31' });
    expect(previousPeriod({ from: '2026-11-05', to: '2026-11-14' })).toMatchObject({ from: '2026-10-26', to: '2026-11-04' });
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-01' })).toMatchObject({ from: '2026-02-28', to: '2026-02-28' });
    expect(previousPeriod({ from: '2024-01-01', to: '2024-12-31' })).toMatchObject({ from: '2023-01-01', to: '2023-12-31' });
    expect(previousPeriod({ from: '2024-03-01', to: '2024-03-31' })).toMatchObject({ from: '2024-02-01', to: '2024-02-29' });
  });

  it('checks dates, order and length; defaults to month to date in Vietnam', () => {
    const now = new Date('2026-11-30T18:00:00Z'); // 01:00 on 1 Dec in Vietnam
    expect(monthToDate(now)).toMatchObject({ from: '2026-12-01', to: '2026-12-01' });
    expect(checkPeriod({}, now).period).toMatchObject({ from: '2026-12-01', to: '2026-12-01' });
    expect(checkPeriod({ from: '2026-02-30', to: '2026-03-01' }, now).problems).toEqual([{ field: 'from', problem: 'format' }]);
    expect(checkPeriod({ from: '2026-03-02', to: '2026-03-01' }, now).problems).toEqual([{ field: 'to', problem: 'order' }]);
    expect(checkPeriod({ from: '2000-01-01', to: '2026-03-01' }, now).problems).toEqual([{ field: 'from', problem: 'too_long' }]);
    expect(checkPeriod({ from: '2026-01-01', to: '2026-03-31' }, now).period).toMatchObject({ from: '2026-01-01', to: '2026-03-31' });
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(formatDay('2026-11-05')).toBe('05/11/2026');
  });
});

describe('CSV for Excel', () => {
  it('quotes per RFC 4180, adds a BOM and CRLF, and reads back', () => {
    const text = toCsv([
      ['Cơ quan', 'Số'],
      ['Sở "Tư pháp", tỉnh', 3],
      ['dòng\nhai', null],
    ]);
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toBe('\ufeffCơ quan,Số\r\n"Sở ""Tư pháp"", tỉnh",3\r\n"dòng\nhai",\r\n');
    expect(parseCsv(text)).toEqual([
      ['Cơ quan', 'Số'],
      ['Sở "Tư pháp", tỉnh', '3'],
      ['dòng\nhai', ''],
    ]);
  });

  it('defuses text that a spreadsheet would run as a formula, not numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(-5)).toBe('-5');
  });
});

describe('the monthly trend', () => {
  it('takes twelve months ending with the period, across a year boundary', async () => {
    const { monthsEnding, trendSpan, shapeTrend } = await import('./trend.ts');
    const months = monthsEnding('2026-02-14');
    expect(months[0]).toBe('2025-03');
    expect(months[11]).toBe('2026-02');
    expect(months).toHaveLength(12);
    expect(trendSpan(months)).toMatchObject({ from: '2025-03-01', to: '2026-02-28' });
    expect(trendSpan(monthsEnding('2026-12-31', 1))).toMatchObject({ from: '2026-12-01', to: '2026-12-31' });
    const shaped = shapeTrend(['2026-01', '2026-02'], [{ month: '2026-02', received: 5, resolved: 3, resolvedOnTime: 2 }]);
    expect(shaped).toEqual([
      { month: '2026-01', received: 0, resolved: 0, resolvedOnTime: 0, onTimePercent: null },
      { month: '2026-02', received: 5, resolved: 3, resolvedOnTime: 2, onTimePercent: 66.67 },
    ]);
  });
});
