import { describe, expect, it } from 'vitest';
import { crc16Ccitt, decodeVietQr, encodeVietQr, parseTlv, tlv, VietQrError } from './vietqr.ts';

/** CRC-16/CCITT-FALSE written out bit by bit, independently of the table-driven version. */
function crcByHand(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

// Payloads published by others (library READMEs, payment gateways' documentation), with their CRC.
const PUBLISHED = [
  {
    // subiz/vietqr README: 120.000 đ to VietinBank 0011001932418, "ung ho lu lut"
    payload: '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C',
    expect: { isDynamic: true, bin: '970415', accountNo: '0011001932418', amount: 120000, purpose: 'ung ho lu lut', crc: 'C15C' },
  },
  {
    // payOS checkout QR: 2.000 đ, purpose = order reference
    payload: '00020101021238570010A000000727012700069704220113VQRQABRLS04480208QRIBFTTA5303704540420005802VN6224082018f8746b181045f0a2ce63040FC0',
    expect: { isDynamic: true, bin: '970422', accountNo: 'VQRQABRLS0448', amount: 2000, purpose: '18f8746b181045f0a2ce', crc: '0FC0' },
  },
  {
    // static QR (no amount), MB Bank account
    payload: '00020101021138540010A00000072701240006970422011009119673630208QRIBFTTA53037045802VN63046AD9',
    expect: { isDynamic: false, bin: '970422', accountNo: '0911967363', amount: null, purpose: null, crc: '6AD9' },
  },
  {
    payload: '00020101021138570010A00000072701270006970405011322082054793800208QRIBFTTA53037045802VN630497A6',
    expect: { isDynamic: false, bin: '970405', accountNo: '2208205479380', amount: null, purpose: null, crc: '97A6' },
  },
  {
    payload: '00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F',
    expect: { isDynamic: false, bin: '970416', accountNo: '257678859', amount: null, purpose: null, crc: 'AE9F' },
  },
];

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the standard check value 29B1 for "123456789" and agrees with a bit-by-bit computation', () => {
    expect(crc16Ccitt('123456789')).toBe('29B1');
    expect(crcByHand('123456789')).toBe('29B1');
    expect(crc16Ccitt('')).toBe('FFFF');
    for (const { payload } of PUBLISHED) {
      const body = payload.slice(0, -4);
      expect(crc16Ccitt(body)).toBe(crcByHand(body));
    }
  });

  it('matches the CRC printed in each published payload (computed over everything up to and including "6304")', () => {
    for (const { payload } of PUBLISHED) {
      expect(payload.slice(-8, -4)).toBe('6304');
      expect(crcByHand(payload.slice(0, -4))).toBe(payload.slice(-4).toUpperCase());
    }
  });
});

describe('decodeVietQr on published payloads', () => {
  it.each(PUBLISHED)('decodes $expect.bin/$expect.accountNo', ({ payload, expect: e }) => {
    expect(decodeVietQr(payload)).toMatchObject({ ...e, guid: 'A000000727', service: 'QRIBFTTA', currency: '704', country: 'VN', payloadFormat: '01' });
  });

  it('re-encodes the published dynamic payload byte for byte', () => {
    expect(encodeVietQr({ bin: '970415', accountNo: '0011001932418', amount: 120000, purpose: 'ung ho lu lut' })).toBe(PUBLISHED[0]!.payload);
    expect(encodeVietQr({ bin: '970422', accountNo: '0911967363' })).toBe(PUBLISHED[2]!.payload);
  });
});

describe('encodeVietQr', () => {
  it('builds a dynamic QR (12) with NAPAS GUID, BIN and account, VND, amount, purpose and CRC', () => {
    const p = encodeVietQr({ bin: '970415', accountNo: '113000006868', amount: 8000, purpose: 'TS7K2M9QX4BD' });
    // Hand-assembled: 00 02 01 | 01 02 12 | 38 (00 10 A000000727, 01 (00 06 970415, 01 12 113000006868), 02 08 QRIBFTTA) | 53 03 704 | 54 04 8000 | 58 02 VN | 62 (08 12 TS7K2M9QX4BD) | 63 04
    const body =
      '000201' +
      '010212' +
      '3856' +
      '0010A000000727' +
      '0126' +
      '0006970415' +
      '0112113000006868' +
      '0208QRIBFTTA' +
      '5303704' +
      '54048000' +
      '5802VN' +
      '6216' +
      '0812TS7K2M9QX4BD' +
      '6304';
    expect(p).toBe(body + crcByHand(body));
    expect(decodeVietQr(p)).toMatchObject({ isDynamic: true, amount: 8000, purpose: 'TS7K2M9QX4BD', bin: '970415', accountNo: '113000006868' });
  });

  it('round-trips, including the reference label and a card service', () => {
    const p = encodeVietQr({ bin: '970436', accountNo: '9704366614', service: 'QRIBFTTC', amount: 1_250_000, purpose: 'Le phi', referenceLabel: 'HS-0001' });
    expect(decodeVietQr(p)).toMatchObject({ service: 'QRIBFTTC', amount: 1_250_000, purpose: 'Le phi', referenceLabel: 'HS-0001' });
  });

  it('refuses values that cannot be encoded', () => {
    expect(() => encodeVietQr({ bin: '97041', accountNo: '1' })).toThrow(VietQrError);
    expect(() => encodeVietQr({ bin: '970415', accountNo: '1', amount: 0 })).toThrow(/amount/);
    expect(() => encodeVietQr({ bin: '970415', accountNo: '1', amount: 1.5 })).toThrow(/amount/);
    expect(() => encodeVietQr({ bin: '970415', accountNo: '1', purpose: 'Lệ phí' })).toThrow(/ASCII/);
    expect(() => encodeVietQr({ bin: '970415', accountNo: '1', purpose: 'x'.repeat(26) })).toThrow(/25/);
    expect(() => tlv('1', 'x')).toThrow(VietQrError);
    expect(() => tlv('01', 'x'.repeat(100))).toThrow(/99/);
  });
});

describe('decodeVietQr rejects', () => {
  const good = PUBLISHED[0]!.payload;
  it('a changed character (CRC mismatch), with the reason', () => {
    const tampered = good.replace('54061200005802', '54061900005802');
    expect(() => decodeVietQr(tampered)).toThrow(expect.objectContaining({ reason: 'crc' }));
  });
  it('a payload without a CRC, and a malformed TLV', () => {
    expect(() => decodeVietQr(good.slice(0, -8))).toThrow(expect.objectContaining({ reason: 'syntax' }));
    // Published with a broken amount field (54 06 then 5 digits): the lengths no longer add up.
    expect(() => decodeVietQr('00020101021238540010A00000072701240006970422011009447998190208QRIBFTTA5303704540625000005802VN62060802Qr63044274')).toThrow(
      VietQrError,
    );
    expect(() => parseTlv('00')).toThrow(/truncated/);
  });
  it('another scheme than NAPAS', () => {
    const body = '000201010211' + tlv('38', tlv('00', 'A000000999') + tlv('01', tlv('00', '970415') + tlv('01', '1'))) + '5303704' + '5802VN' + '6304';
    expect(() => decodeVietQr(body + crcByHand(body))).toThrow(/GUID/);
  });
});
