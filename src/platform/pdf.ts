/**
 * Official PDF documents (DOMAIN sections 4 and 12): A4, DejaVu fonts embedded (subset), every
 * string normalised to NFC, the national motto and the agency header of Vietnamese
 * administrative documents (Decree 30/2020 layout), and a QR code in the top-left corner
 * (Circular 01/2023/TT-VPCP) embedded as a PNG image.
 *
 * Usage:
 *   const pdf = await renderPdf({ title, qr, header }, (d) => { d.title('GIẤY ...'); d.field('Mã hồ sơ', code); });
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { VN_OFFSET_MS } from './time.ts';

const FONT_REGULAR = 'DejaVuSans';
const FONT_BOLD = 'DejaVuSans-Bold';
const FONT_ITALIC = 'DejaVuSans-Oblique';

interface FontSet {
  regular: Buffer;
  bold: Buffer;
  italic: Buffer;
}

let fonts: FontSet | undefined;

interface FontkitFont {
  getGlyph(id: number, characters?: number[]): { codePoints: number[] } | null;
}

/** What pdfkit's registerFont accepts: the file, or a font already parsed by fontkit. */
type FontSource = Buffer | PDFKit.Mixins.PDFFontSource;
let parsed: { regular: FontSource; bold: FontSource; italic: FontSource } | undefined;

/**
 * The fonts parsed once per process with fontkit (pdfkit's own font parser, installed with it),
 * so each document only subsets them: parsing three DejaVu files per document costs about five
 * times the rest of a one-page document. pdfkit takes a parsed font wherever it takes a file
 * (it checks for `layout`). If fontkit cannot be loaded, the files are handed over as they are.
 */
function fontSources(): { regular: FontSource; bold: FontSource; italic: FontSource } {
  if (!parsed) {
    const f = fontFiles();
    try {
      const fontkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'))('fontkit') as { create(b: Uint8Array): FontkitFont };
      const open = (b: Buffer) => {
        const font = fontkit.create(b);
        // fontkit caches each glyph with the characters of its first request. A subset asks for
        // the parts of composite glyphs (ơ inside ờ) with none, and a later document would then
        // print ơ without its character (broken copy and search): fill them in when known.
        const getGlyph = font.getGlyph.bind(font);
        font.getGlyph = (id, characters = []) => {
          const glyph = getGlyph(id, characters);
          if (glyph && glyph.codePoints.length === 0 && characters.length > 0) glyph.codePoints = characters;
          return glyph;
        };
        return font as unknown as FontSource;
      };
      parsed = { regular: open(f.regular), bold: open(f.bold), italic: open(f.italic) };
    } catch {
      parsed = { regular: f.regular, bold: f.bold, italic: f.italic };
    }
  }
  return parsed;
}

/**
 * The DejaVu font files, read once. Resolved through the package (not a path relative to this
 * file), so the esbuild bundle in dist/ finds them in node_modules as well.
 */
export function fontFiles(): FontSet {
  if (!fonts) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fonts = {
      regular: readFileSync(path.join(dir, 'DejaVuSans.ttf')),
      bold: readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')),
      italic: readFileSync(path.join(dir, 'DejaVuSans-Oblique.ttf')),
    };
  }
  return fonts;
}

export const NATIONAL_MOTTO = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_SLOGAN = 'Độc lập - Tự do - Hạnh phúc';

export interface AgencyHeader {
  /** The governing body, printed above the agency (e.g. "UBND TỈNH NINH BÌNH"); optional. */
  parentName?: string | null;
  /** The issuing agency, printed in bold capitals. */
  agencyName: string;
  /** Document number line under the agency ("Số: .../TB-..."); optional. */
  documentNumber?: string | null;
  /** Place and date line under the motto ("Ninh Bình, ngày 26 tháng 11 năm 2026"). */
  place?: string | null;
  date?: Date | null;
}

export interface PdfOptions {
  /** Metadata title (also shown by viewers as the window title). */
  title: string;
  subject?: string;
  author?: string;
  keywords?: string[];
  /** Creation date stored in the metadata (fixed for reproducible output); default now. */
  createdAt?: Date;
  /** Text encoded in the QR drawn in the top-left corner of the first page; none if absent. */
  qr?: string | null;
  /** The agency and motto header of the first page; none if absent. */
  header?: AgencyHeader | null;
  /** Page orientation (default portrait); registers are landscape. */
  layout?: 'portrait' | 'landscape';
}

const PAGE_MARGIN = 56; // ~2 cm
const QR_SIZE = 68;
const QR_X = 22;
const QR_Y = 22;

/** Normalises any printed text to NFC (inputs may arrive decomposed). */
export function pdfText(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return '';
  return String(s).normalize('NFC');
}

/** "ngày 26 tháng 11 năm 2026" in Vietnamese time. */
export function vnLongDate(d: Date): string {
  const s = new Date(d.getTime() + VN_OFFSET_MS).toISOString();
  return `ngày ${s.slice(8, 10)} tháng ${s.slice(5, 7)} năm ${s.slice(0, 4)}`;
}

type Doc = PDFKit.PDFDocument;

/** The drawing surface handed to a renderer: every text call normalises to NFC. */
export class PdfWriter {
  constructor(readonly doc: Doc) {}

  get contentWidth(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  /** Centred bold title. */
  title(text: string, size = 13): this {
    this.doc.moveDown(0.6).font(FONT_BOLD).fontSize(size).text(pdfText(text), this.doc.page.margins.left, undefined, {
      width: this.contentWidth,
      align: 'center',
    });
    this.doc.font(FONT_REGULAR).fontSize(11);
    return this;
  }

  /** Centred italic line (e.g. "(Về việc ...)"). */
  subtitle(text: string): this {
    this.doc.font(FONT_ITALIC).fontSize(11).text(pdfText(text), this.doc.page.margins.left, undefined, {
      width: this.contentWidth,
      align: 'center',
    });
    this.doc.font(FONT_REGULAR);
    return this;
  }

  /** A justified paragraph. */
  paragraph(text: string, opts: { bold?: boolean; italic?: boolean; size?: number } = {}): this {
    this.doc
      .font(opts.bold ? FONT_BOLD : opts.italic ? FONT_ITALIC : FONT_REGULAR)
      .fontSize(opts.size ?? 11)
      .text(pdfText(text), this.doc.page.margins.left, undefined, { width: this.contentWidth, align: 'justify' });
    this.doc.font(FONT_REGULAR).fontSize(11);
    return this;
  }

  /** "Label: value" on one line (wrapping), label in bold. */
  field(label: string, value: string | number | null | undefined): this {
    this.doc
      .font(FONT_BOLD)
      .fontSize(11)
      .text(`${pdfText(label)}: `, this.doc.page.margins.left, undefined, { continued: true, width: this.contentWidth })
      .font(FONT_REGULAR)
      .text(pdfText(value ?? '') || '—');
    return this;
  }

  /** A numbered or bulleted list. */
  list(items: string[], numbered = true): this {
    this.doc.font(FONT_REGULAR).fontSize(11);
    items.forEach((item, i) => {
      this.doc.text(`${numbered ? `${i + 1}.` : '-'} ${pdfText(item)}`, this.doc.page.margins.left + 14, undefined, {
        width: this.contentWidth - 14,
      });
    });
    return this;
  }

  space(lines = 0.6): this {
    this.doc.moveDown(lines);
    return this;
  }

  /**
   * A simple grid table: header row in bold, cell text wrapped, new page (with the header
   * repeated) when a row does not fit. `widths` are fractions of the content width.
   */
  table(headers: string[], rows: (string | number | null | undefined)[][], widths: number[], size = 8): this {
    const doc = this.doc;
    const left = doc.page.margins.left;
    const total = this.contentWidth;
    const cols = widths.map((w) => w * total);
    const pad = 3;
    const drawRow = (cells: string[], bold: boolean): void => {
      doc.font(bold ? FONT_BOLD : FONT_REGULAR).fontSize(size);
      const heights = cells.map((c, i) => doc.heightOfString(c, { width: cols[i]! - 2 * pad }));
      const h = Math.max(...heights, size) + 2 * pad;
      if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
        doc.addPage();
        if (!bold) drawRow(headers.map(pdfText), true);
        doc.font(bold ? FONT_BOLD : FONT_REGULAR).fontSize(size);
      }
      const y = doc.y;
      let x = left;
      cells.forEach((c, i) => {
        doc.rect(x, y, cols[i]!, h).lineWidth(0.5).stroke();
        doc.text(c, x + pad, y + pad, { width: cols[i]! - 2 * pad });
        x += cols[i]!;
      });
      doc.x = left;
      doc.y = y + h;
    };
    drawRow(headers.map(pdfText), true);
    for (const r of rows) drawRow(r.map(pdfText), false);
    doc.font(FONT_REGULAR).fontSize(11);
    doc.moveDown(0.5);
    return this;
  }

  /**
   * Signature blocks side by side: each has a bold role line ("NGƯỜI TIẾP NHẬN"), an italic hint
   * ("(Ký, ghi rõ họ tên)") and a name printed below the space for the signature.
   */
  signatures(blocks: { role: string; hint?: string; name?: string | null }[]): this {
    const doc = this.doc;
    doc.moveDown(1);
    if (doc.y + 110 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y;
    const w = this.contentWidth / blocks.length;
    blocks.forEach((b, i) => {
      const x = doc.page.margins.left + i * w;
      doc.font(FONT_BOLD).fontSize(11).text(pdfText(b.role), x, top, { width: w, align: 'center' });
      doc
        .font(FONT_ITALIC)
        .fontSize(10)
        .text(pdfText(b.hint ?? '(Ký, ghi rõ họ tên)'), x, undefined, { width: w, align: 'center' });
      if (b.name)
        doc
          .font(FONT_BOLD)
          .fontSize(11)
          .text(pdfText(b.name), x, top + 80, { width: w, align: 'center' });
    });
    doc.font(FONT_REGULAR).fontSize(11);
    doc.x = doc.page.margins.left;
    doc.y = top + 100;
    return this;
  }
}

function drawHeader(doc: Doc, h: AgencyHeader): void {
  const pageW = doc.page.width;
  const leftX = QR_X + QR_SIZE + 6;
  const splitX = pageW * 0.45;
  const leftW = splitX - leftX;
  const rightX = splitX;
  const rightW = pageW - PAGE_MARGIN + 20 - rightX;
  const top = 28;

  // Agency block (left).
  doc.fontSize(10);
  let y = top;
  if (h.parentName) {
    doc.font(FONT_REGULAR).text(pdfText(h.parentName).toLocaleUpperCase('vi'), leftX, y, { width: leftW, align: 'center' });
    y = doc.y;
  }
  doc.font(FONT_BOLD).text(pdfText(h.agencyName).toLocaleUpperCase('vi'), leftX, y, { width: leftW, align: 'center' });
  const agencyBottom = doc.y + 2;
  doc
    .moveTo(leftX + leftW * 0.3, agencyBottom)
    .lineTo(leftX + leftW * 0.7, agencyBottom)
    .lineWidth(0.6)
    .stroke();
  let leftEnd = agencyBottom + 4;
  if (h.documentNumber) {
    doc.font(FONT_REGULAR).fontSize(10).text(pdfText(h.documentNumber), leftX, leftEnd, { width: leftW, align: 'center' });
    leftEnd = doc.y;
  }

  // Motto block (right).
  doc.font(FONT_BOLD).fontSize(10).text(NATIONAL_MOTTO, rightX, top, { width: rightW, align: 'center' });
  doc.font(FONT_BOLD).fontSize(10.5).text(NATIONAL_SLOGAN, rightX, undefined, { width: rightW, align: 'center' });
  const sloganW = doc.widthOfString(NATIONAL_SLOGAN);
  const mottoBottom = doc.y + 2;
  doc
    .moveTo(rightX + (rightW - sloganW) / 2, mottoBottom)
    .lineTo(rightX + (rightW + sloganW) / 2, mottoBottom)
    .lineWidth(0.6)
    .stroke();
  let rightEnd = mottoBottom + 4;
  if (h.place || h.date) {
    const line = [h.place ? pdfText(h.place) : null, h.date ? vnLongDate(h.date) : null].filter(Boolean).join(', ');
    doc
      .font(FONT_ITALIC)
      .fontSize(10)
      .text(line, rightX, rightEnd + 4, { width: rightW, align: 'center' });
    rightEnd = doc.y;
  }
  doc.x = doc.page.margins.left;
  doc.y = Math.max(leftEnd, rightEnd, QR_Y + QR_SIZE) + 10;
  doc.font(FONT_REGULAR).fontSize(11);
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(buf: Buffer): number {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A QR code as an 8-bit grayscale PNG without alpha (black on white, quiet zone of 2 modules,
 * 4 pixels a module). Without alpha pdfkit embeds the compressed rows as they are, instead of
 * decoding the image to split an alpha channel off (most of the cost of an RGBA PNG).
 */
export function qrPng(payload: string): Buffer {
  const { modules } = QRCode.create(pdfText(payload), { errorCorrectionLevel: 'M' });
  const scale = 4;
  const margin = 2;
  const side = (modules.size + 2 * margin) * scale;
  const raw = Buffer.alloc((side + 1) * side, 0xff);
  for (let y = 0; y < side; y++) {
    raw[y * (side + 1)] = 0; // filter: none
    const my = Math.floor(y / scale) - margin;
    if (my < 0 || my >= modules.size) continue;
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - margin;
      if (mx >= 0 && mx < modules.size && modules.get(my, mx)) raw[y * (side + 1) + 1 + x] = 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Builds a PDF: sets up A4, fonts, metadata, the QR and the header, lets `draw` write the body,
 * and returns the bytes.
 */
export async function renderPdf(opts: PdfOptions, draw: (w: PdfWriter) => void | Promise<void>): Promise<Buffer> {
  const f = fontSources();
  const qr = opts.qr ? qrPng(opts.qr) : null;
  // Loaded on first use, not at start (pdfkit is large; most requests never make a PDF).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    layout: opts.layout ?? 'portrait',
    margins: { top: PAGE_MARGIN, bottom: PAGE_MARGIN, left: PAGE_MARGIN, right: PAGE_MARGIN - 20 },
    lang: 'vi-VN',
    displayTitle: true,
    pdfVersion: '1.7',
    autoFirstPage: true,
    bufferPages: false,
    info: {
      Title: pdfText(opts.title),
      Author: pdfText(opts.author ?? 'Tỉnh Số'),
      Subject: pdfText(opts.subject ?? opts.title),
      Keywords: pdfText((opts.keywords ?? []).join(', ')),
      Creator: 'tinhso',
      Producer: 'tinhso (pdfkit)',
      CreationDate: opts.createdAt ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(FONT_REGULAR, f.regular);
  doc.registerFont(FONT_BOLD, f.bold);
  doc.registerFont(FONT_ITALIC, f.italic);
  doc.font(FONT_REGULAR).fontSize(11);
  if (qr) doc.image(qr, QR_X, QR_Y, { width: QR_SIZE, height: QR_SIZE });
  if (opts.header) drawHeader(doc, opts.header);
  else if (qr) doc.y = QR_Y + QR_SIZE + 10;
  await draw(new PdfWriter(doc));
  doc.end();
  return done;
}
