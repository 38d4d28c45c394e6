import { describe, expect, it } from 'vitest';
import { validateForm } from '../../modules/procedures/form-validation.ts';
import { ProcedureDefinition } from '../../modules/procedures/procedures.schemas.ts';
import { demoProcedures } from './catalogue.ts';
import { fakeAnswer, rng } from './generate-dossiers.ts';

const definitions = demoProcedures.map(({ code, ...d }) => ({ code, def: ProcedureDefinition.parse(d) }));

describe('demo dates', () => {
  it('marks births, deaths and decisions as past and announced periods as future', () => {
    const ranges = new Map<string, Set<string>>();
    for (const { def } of definitions) {
      for (const f of def.form) if (f.type === 'date') ranges.set(f.key, (ranges.get(f.key) ?? new Set()).add(f.dateRange ?? 'none'));
    }
    for (const key of ['ngay_sinh', 'ngay_sinh_chong', 'ngay_sinh_vo', 'ngay_chet', 'ngay_mat', 'ngay_quyet_dinh'])
      expect([...(ranges.get(key) ?? [])], key).toEqual(['past']);
    expect([...(ranges.get('tu_ngay') ?? [])]).toEqual(['future']);
    // Every date field of the catalogue has a rule.
    expect([...ranges.values()].flatMap((s) => [...s])).not.toContain('none');
  });

  it('generates answers that pass the form check on the day they are given', () => {
    // A few days of the year, including the turn of a year (a "past" date must then fall in an earlier year).
    for (const day of ['2026-01-01', '2026-11-27', '2027-12-31']) {
      const now = new Date(`${day}T08:00:00+07:00`);
      const r = rng(7);
      for (const { code, def } of definitions) {
        for (let n = 0; n < 5; n++) {
          const answers = Object.fromEntries(def.form.map((f) => [f.key, fakeAnswer(f, r, day)]));
          expect(validateForm(def.form, answers, { partial: false, fees: def.fees, now }).errors, `${code} on ${day}`).toEqual([]);
        }
      }
    }
  });

  it('gives future dates far enough ahead that a draft saved two weeks earlier is still valid', () => {
    const r = rng(11);
    const field = { key: 'tu_ngay', label: 'Từ ngày', type: 'date' as const, required: true, dateRange: 'future' as const };
    for (let n = 0; n < 200; n++) {
      const answer = String(fakeAnswer(field, r, '2026-11-27'));
      expect(answer >= '2026-12-12' && answer <= '2027-11-12', answer).toBe(true);
    }
  });
});
