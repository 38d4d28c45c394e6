import { describe, expect, it } from 'vitest';
import { computeFees, FeeError } from './fees.ts';

describe('computeFees', () => {
  it('adds fixed lines and per-field lines multiplied by the answer', () => {
    // Lý lịch tư pháp: 200.000 đ per request + 5.000 đ per extra copy; 3 extra copies → 215.000 đ.
    const r = computeFees(
      [
        { code: 'phi', name: 'Phí cung cấp thông tin', amount: 200_000 },
        { code: 'ban_them', name: 'Phí cấp thêm bản', amount: 5_000, perFormField: 'so_ban_them' },
      ],
      { so_ban_them: 3 },
    );
    expect(r.total).toBe(215_000);
    expect(r.lines).toEqual([
      { code: 'phi', name: 'Phí cung cấp thông tin', unitAmount: 200_000, quantity: 1, amount: 200_000 },
      { code: 'ban_them', name: 'Phí cấp thêm bản', unitAmount: 5_000, quantity: 3, amount: 15_000 },
    ]);
  });

  it('reads numbers sent as text, counts an unanswered field as zero, and is zero for a free procedure', () => {
    expect(computeFees([{ code: 'b', name: 'Bản sao', amount: 8_000, perFormField: 'so_ban' }], { so_ban: '4' }).total).toBe(32_000);
    expect(computeFees([{ code: 'b', name: 'Bản sao', amount: 8_000, perFormField: 'so_ban' }], {}).total).toBe(0);
    expect(computeFees([], { so_ban: 2 })).toEqual({ total: 0, lines: [] });
  });

  it('refuses fractional or negative quantities', () => {
    const fee = [{ code: 'b', name: 'Bản sao', amount: 8_000, perFormField: 'so_ban' }];
    expect(() => computeFees(fee, { so_ban: 1.5 })).toThrow(FeeError);
    expect(() => computeFees(fee, { so_ban: -1 })).toThrow(FeeError);
    expect(() => computeFees(fee, { so_ban: 'hai' })).toThrow(/so_ban/);
    expect(() => computeFees(fee, { so_ban: 1.5 })).toThrow(expect.objectContaining({ reason: 'not_whole_units', field: 'so_ban' }));
  });

  it('refuses a total beyond the integers it computes exactly', () => {
    const fee = [{ code: 'b', name: 'Bản sao', amount: 8_000, perFormField: 'so_ban' }];
    expect(computeFees(fee, { so_ban: 1_000_000_000_000 }).total).toBe(8_000_000_000_000_000);
    expect(() => computeFees(fee, { so_ban: 2_000_000_000_000 })).toThrow(expect.objectContaining({ reason: 'total_too_large', field: 'fees' }));
  });
});
