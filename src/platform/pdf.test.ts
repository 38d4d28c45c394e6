import { describe, expect, it } from 'vitest';
import { decodePdfQrCodes, extractPdfText, pdfInfo } from '../../test/pdf-helpers.ts';
import { NATIONAL_MOTTO, NATIONAL_SLOGAN, pdfText, qrPng, renderPdf, vnLongDate } from './pdf.ts';

describe('pdfText', () => {
  it('normalises decomposed Vietnamese to NFC', () => {
    const nfd = 'Hộ tịch'.normalize('NFD');
    expect(nfd).not.toBe('Hộ tịch');
    expect(pdfText(nfd)).toBe('Hộ tịch');
    expect(pdfText(null)).toBe('');
    expect(pdfText(12)).toBe('12');
  });
  it('writes long dates in Vietnamese time', () => {
    // 17:30 UTC on 26 Nov is 00:30 on 27 Nov in Hà Nội.
    expect(vnLongDate(new Date('2026-11-26T17:30:00Z'))).toBe('ngày 27 tháng 11 năm 2026');
  });
});

// pdfjs loads slowly on a busy machine: allow it time.
describe('renderPdf', { timeout: 60_000 }, () => {
  it('makes an A4 PDF with the motto, agency header, NFC text, metadata and a QR in the top-left corner', async () => {
    const nfdName = 'Nguyễn Văn Bình'.normalize('NFD');
    const buf = await renderPdf(
      {
        title: 'Giấy thử nghiệm',
        author: 'UBND xã Ý Yên',
        keywords: ['thử', 'pdf'],
        qr: '{"c":"X-1","p":"1.001612","a":"012345678901"}',
        header: {
          parentName: 'UBND tỉnh Ninh Bình',
          agencyName: 'Trung tâm Phục vụ hành chính công',
          place: 'Ninh Bình',
          date: new Date('2026-11-26T03:00:00Z'),
        },
      },
      (w) => {
        w.title('GIẤY THỬ NGHIỆM');
        w.field('Người nộp', nfdName);
        w.table(['STT', 'Tên giấy tờ'], [[1, 'Tờ khai đăng ký khai sinh']], [0.1, 0.9]);
        w.signatures([{ role: 'NGƯỜI NỘP' }, { role: 'NGƯỜI TIẾP NHẬN', name: 'Trần Thị Hà' }]);
      },
    );
    expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
    const [page1] = await extractPdfText(buf);
    const flat = page1!.replace(/\s+/g, ' ');
    expect(flat).toContain(NATIONAL_MOTTO);
    expect(flat).toContain(NATIONAL_SLOGAN);
    expect(flat).toContain('TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG');
    expect(flat).toContain('UBND TỈNH NINH BÌNH');
    expect(flat).toContain('Ninh Bình, ngày 26 tháng 11 năm 2026');
    expect(flat).toContain('Nguyễn Văn Bình');
    expect(flat).toContain('Tờ khai đăng ký khai sinh');
    expect(flat).toContain('Trần Thị Hà');
    const { info, numPages } = await pdfInfo(buf);
    expect(numPages).toBe(1);
    expect(info.Title).toBe('Giấy thử nghiệm');
    expect(info.Author).toBe('UBND xã Ý Yên');
    const qrs = await decodePdfQrCodes(buf);
    expect(qrs).toHaveLength(1);
    expect(qrs[0]!.text).toBe('{"c":"X-1","p":"1.001612","a":"012345678901"}');
    expect(qrs[0]!.x).toBeLessThan(60);
    expect(qrs[0]!.y).toBeLessThan(60);
  });

  it('draws no QR when none is asked for, and breaks long tables across pages', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [i + 1, `Hồ sơ số ${i + 1}`]);
    const buf = await renderPdf({ title: 'Sổ' }, (w) => {
      w.table(['STT', 'Hồ sơ'], rows, [0.2, 0.8], 9);
    });
    expect(await decodePdfQrCodes(buf)).toEqual([]);
    const pages = await extractPdfText(buf);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.join(' ')).toContain('Hồ sơ số 120');
  });
});

describe('qrPng', () => {
  it('is a valid grayscale PNG that decodes back to the payload', async () => {
    const { PNG } = await import('pngjs');
    const jsqr = (await import('jsqr')).default as unknown as (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;
    const payload = '{"v":1,"mau":"01","maHoSo":"000.00.01.H37-261126-0001","maTTHC":"1.001193","soDinhDanh":"036090001234"}';
    const png = PNG.sync.read(qrPng(payload));
    expect(png.width).toBe(png.height);
    expect(png.width % 4).toBe(0);
    expect(jsqr(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(payload);
  });
});
