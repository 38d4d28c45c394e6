import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, decodeWords, parseEmail } from './notifications.outbox.ts';

describe('the outbox MIME reader', () => {
  it('decodes RFC 2047 words, Q and B, joining adjacent ones', () => {
    expect(decodeWords('=?UTF-8?Q?H=E1=BB=93_s=C6=A1?=')).toBe('Hồ sơ');
    expect(decodeWords('=?UTF-8?B?SOG7kyBzxqE=?= =?UTF-8?Q?_=C4=91=C3=A3?= nộp')).toBe('Hồ sơ đã nộp');
    expect(decodeWords('plain text')).toBe('plain text');
  });

  it('decodes quoted-printable with soft line breaks', () => {
    expect(decodeQuotedPrintable('K=C3=ADnh g=E1=BB=ADi=\r\n =C3=B4ng').toString('utf8')).toBe('Kính gửi ông');
  });

  it('reads a single-part quoted-printable message and the first text part of a multipart one', () => {
    const single = [
      'From: =?UTF-8?Q?T=E1=BB=89nh_S=E1=BB=91?= <no-reply@tinhso.test>',
      'To: binh@example.vn',
      'Subject: =?UTF-8?Q?[T=E1=BB=89nh_S=E1=BB=91]_H=E1=BB=93_s=C6=A1?=',
      'Message-ID: <abc@tinhso.test>',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'K=C3=ADnh g=E1=BB=ADi =C3=B4ng/b=C3=A0,',
      '',
    ].join('\r\n');
    const m = parseEmail(Buffer.from(single, 'latin1'));
    expect(m).toMatchObject({ subject: '[Tỉnh Số] Hồ sơ', to: 'binh@example.vn', from: 'Tỉnh Số <no-reply@tinhso.test>', messageId: '<abc@tinhso.test>' });
    expect(m.text).toBe('Kính gửi ông/bà,\n');
    const multi = [
      'Subject: x',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('Đã tiếp nhận').toString('base64'),
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>html</p>',
      '--b1--',
      '',
    ].join('\r\n');
    expect(parseEmail(multi).text).toBe('Đã tiếp nhận');
  });
});
