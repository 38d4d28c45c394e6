/**
 * VietQR (DOMAIN section 9): the NAPAS profile of the EMVCo merchant-presented QR. Pure: a TLV
 * encoder and decoder, CRC-16/CCITT-FALSE, and the VietQR fields we issue and accept.
 *
 * Layout of a payload: fields `id(2) length(2) value`, in id order, ending with `63 04 CRC` where
 * the CRC is computed over the whole string up to and including "6304".
 */

export const NAPAS_GUID = 'A000000727';
export const CURRENCY_VND = '704';
export const COUNTRY_VN = 'VN';
export type VietQrService = 'QRIBFTTA' | 'QRIBFTTC';

/** The CRC table for polynomial 0x1021 (MSB first). */
const TABLE: readonly number[] = Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  return c;
});

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor) over a string's
 * UTF-8 bytes, as 4 uppercase hex digits. Check value: "123456789" → 29B1.
 */
export function crc16Ccitt(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!) & 0xffff;
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

export class VietQrError extends Error {
  constructor(
    readonly reason: 'syntax' | 'crc' | 'field',
    message: string,
  ) {
    super(message);
    this.name = 'VietQrError';
  }
}

/** One TLV field: `id` two digits, `value` up to 99 characters. */
export function tlv(id: string, value: string): string {
  if (!/^\d{2}$/.test(id)) throw new VietQrError('field', `field id ${id} must be two digits`);
  const n = [...value].length;
  if (n > 99) throw new VietQrError('field', `field ${id} is longer than 99 characters`);
  return `${id}${String(n).padStart(2, '0')}${value}`;
}

/** Parses a TLV string into its fields, in order. Throws VietQrError('syntax') on a malformed string. */
export function parseTlv(text: string): { id: string; value: string }[] {
  const chars = [...text];
  const out: { id: string; value: string }[] = [];
  let i = 0;
  while (i < chars.length) {
    if (i + 4 > chars.length) throw new VietQrError('syntax', `truncated field header at ${i}`);
    const id = chars.slice(i, i + 2).join('');
    const len = chars.slice(i + 2, i + 4).join('');
    if (!/^\d{2}$/.test(id) || !/^\d{2}$/.test(len)) throw new VietQrError('syntax', `bad field header at ${i}`);
    const n = Number(len);
    if (i + 4 + n > chars.length) throw new VietQrError('syntax', `field ${id} runs past the end`);
    out.push({ id, value: chars.slice(i + 4, i + 4 + n).join('') });
    i += 4 + n;
  }
  return out;
}

export interface VietQrInput {
  /** The beneficiary bank's NAPAS BIN (6 digits). */
  bin: string;
  /** Account number (QRIBFTTA) or card number (QRIBFTTC). */
  accountNo: string;
  service?: VietQrService;
  /** Integer đồng. Present → dynamic QR (point of initiation 12); absent → static (11). */
  amount?: number;
  /** Transfer purpose (62.08): ASCII, at most 25 characters. */
  purpose?: string;
  /** Reference label (62.05), optional. */
  referenceLabel?: string;
}

export interface VietQrData {
  payloadFormat: string;
  isDynamic: boolean;
  guid: string;
  bin: string;
  accountNo: string;
  service: string;
  currency: string;
  amount: number | null;
  country: string;
  purpose: string | null;
  referenceLabel: string | null;
  crc: string;
}

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/** Builds a VietQR payload with its CRC. Throws VietQrError('field') on a value that cannot be encoded. */
export function encodeVietQr(input: VietQrInput): string {
  if (!/^\d{6}$/.test(input.bin)) throw new VietQrError('field', 'the bank BIN must be 6 digits');
  if (!/^[0-9A-Za-z]{1,19}$/.test(input.accountNo)) throw new VietQrError('field', 'the account number must be 1 to 19 letters or digits');
  if (input.amount !== undefined && (!Number.isSafeInteger(input.amount) || input.amount <= 0 || String(input.amount).length > 13)) {
    throw new VietQrError('field', 'the amount must be a positive integer of at most 13 digits');
  }
  for (const [name, v] of [
    ['purpose', input.purpose],
    ['referenceLabel', input.referenceLabel],
  ] as const) {
    if (v !== undefined && (v.length > 25 || !ASCII_PRINTABLE.test(v)))
      throw new VietQrError('field', `${name} must be printable ASCII, at most 25 characters`);
  }
  const account = tlv('00', input.bin) + tlv('01', input.accountNo);
  const merchant = tlv('00', NAPAS_GUID) + tlv('01', account) + tlv('02', input.service ?? 'QRIBFTTA');
  const additional = (input.referenceLabel ? tlv('05', input.referenceLabel) : '') + (input.purpose ? tlv('08', input.purpose) : '');
  const body =
    tlv('00', '01') +
    tlv('01', input.amount !== undefined ? '12' : '11') +
    tlv('38', merchant) +
    tlv('53', CURRENCY_VND) +
    (input.amount !== undefined ? tlv('54', String(input.amount)) : '') +
    tlv('58', COUNTRY_VN) +
    (additional ? tlv('62', additional) : '');
  const withCrcTag = `${body}6304`;
  return withCrcTag + crc16Ccitt(withCrcTag);
}

/**
 * Decodes and checks a VietQR payload: syntax, the CRC (last field, over everything before its
 * value), and the NAPAS account template. Throws VietQrError with the reason.
 */
export function decodeVietQr(payload: string): VietQrData {
  const text = payload.trim();
  const fields = parseTlv(text);
  const last = fields.at(-1);
  if (!last || last.id !== '63' || !/^[0-9A-Fa-f]{4}$/.test(last.value)) throw new VietQrError('syntax', 'the payload must end with a 4-digit CRC (field 63)');
  const expected = crc16Ccitt(text.slice(0, text.length - 4));
  if (expected !== last.value.toUpperCase()) throw new VietQrError('crc', `CRC mismatch: payload says ${last.value.toUpperCase()}, computed ${expected}`);
  const root = new Map(fields.map((f) => [f.id, f.value]));
  const need = (m: Map<string, string>, id: string, what: string) => {
    const v = m.get(id);
    if (v === undefined) throw new VietQrError('field', `missing ${what} (${id})`);
    return v;
  };
  const pfi = need(root, '00', 'payload format indicator');
  if (pfi !== '01') throw new VietQrError('field', 'payload format indicator must be 01');
  const poi = root.get('01') ?? '11';
  if (poi !== '11' && poi !== '12') throw new VietQrError('field', 'point of initiation must be 11 or 12');
  const merchant = new Map(parseTlv(need(root, '38', 'NAPAS merchant account information')).map((f) => [f.id, f.value]));
  const guid = need(merchant, '00', 'NAPAS GUID');
  if (guid !== NAPAS_GUID) throw new VietQrError('field', `unknown GUID ${guid}`);
  const account = new Map(parseTlv(need(merchant, '01', 'beneficiary')).map((f) => [f.id, f.value]));
  const bin = need(account, '00', 'bank BIN');
  const accountNo = need(account, '01', 'account number');
  const service = merchant.get('02') ?? 'QRIBFTTA';
  const amountText = root.get('54');
  if (amountText !== undefined && !/^\d+(\.\d{0,2})?$/.test(amountText)) throw new VietQrError('field', 'amount must be a number');
  const amount = amountText === undefined ? null : Number(amountText);
  const additional = root.has('62') ? new Map(parseTlv(root.get('62')!).map((f) => [f.id, f.value])) : new Map<string, string>();
  return {
    payloadFormat: pfi,
    isDynamic: poi === '12',
    guid,
    bin,
    accountNo,
    service,
    currency: need(root, '53', 'currency'),
    amount,
    country: need(root, '58', 'country code'),
    purpose: additional.get('08') ?? null,
    referenceLabel: additional.get('05') ?? null,
    crc: last.value.toUpperCase(),
  };
}
