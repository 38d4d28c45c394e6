import { describe, expect, it } from 'vitest';
import { amountInWords, formatDong, receiptQrText } from './receipt.ts';

describe('amountInWords', () => {
  it.each([
    [0, 'Không đồng'],
    [8_000, 'Tám nghìn đồng'],
    [15_000, 'Mười lăm nghìn đồng'],
    [21_000, 'Hai mươi mốt nghìn đồng'],
    [105_000, 'Một trăm linh năm nghìn đồng'],
    [120_000, 'Một trăm hai mươi nghìn đồng'],
    [215_000, 'Hai trăm mười lăm nghìn đồng'],
    [1_005_000, 'Một triệu không trăm linh năm nghìn đồng'],
    [15_000_000, 'Mười lăm triệu đồng'],
    [2_000_000_001, 'Hai tỷ không trăm linh một đồng'],
  ])('%i → %s', (n, words) => {
    expect(amountInWords(n)).toBe(words);
  });
  it('refuses fractions', () => {
    expect(() => amountInWords(1.5)).toThrow(RangeError);
  });
});

describe('receipt helpers', () => {
  it('formats đồng with dots and puts dossier, procedure, applicant and receipt in the QR', () => {
    expect(formatDong(1_250_000)).toBe('1.250.000');
    expect(formatDong(800)).toBe('800');
    expect(receiptQrText({ dossierCode: 'H37-261126-0001', procedureCode: '2.000635', applicantId: '036090001234', receiptNo: 'BL-TS1' })).toBe(
      'HS:H37-261126-0001|TTHC:2.000635|ID:036090001234|BL:BL-TS1',
    );
  });
});
