/**
 * Test helpers for PDFs: open a PDF with pdfjs-dist (as a real reader would), extract its text
 * (NFC), read its metadata, and decode the QR codes drawn as embedded images with jsQR.
 */
import jsQRModule from 'jsqr';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsqr is CommonJS with a `default` export in its types: take the function whichever way it arrives.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

type PdfDocumentProxy = Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;

async function open(data: Uint8Array): Promise<PdfDocumentProxy> {
  // pdfjs transfers (detaches) the buffer it is given: hand it a copy.
  return pdfjs.getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
}

export interface PdfPageText {
  /** Text items joined with spaces, NFC. */
  text: string;
}

/** The text of every page (items joined by a space, runs of whitespace collapsed), NFC. */
export async function extractPdfText(data: Uint8Array): Promise<string[]> {
  const doc = await open(data);
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      const parts = content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '') : ''));
      pages.push(
        parts
          .join(' ')
          .normalize('NFC')
          .replace(/[ \t]+/g, ' '),
      );
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

/** All pages' text as one string with whitespace collapsed to single spaces. */
export async function pdfPlainText(data: Uint8Array): Promise<string> {
  return (await extractPdfText(data)).join('\n').replace(/\s+/g, ' ');
}

/** The document information dictionary (Title, Author, ...). */
export async function pdfInfo(data: Uint8Array): Promise<{ numPages: number; info: Record<string, unknown> }> {
  const doc = await open(data);
  try {
    const meta = await doc.getMetadata();
    return { numPages: doc.numPages, info: meta.info as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}

interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
  kind?: number;
}

function toRgba(img: DecodedImage): Uint8ClampedArray {
  const n = img.width * img.height;
  const out = new Uint8ClampedArray(n * 4);
  const src = img.data;
  if (src.length === n * 4) return new Uint8ClampedArray(src);
  if (src.length === n * 3) {
    for (let i = 0; i < n; i++) {
      out[i * 4] = src[i * 3]!;
      out[i * 4 + 1] = src[i * 3 + 1]!;
      out[i * 4 + 2] = src[i * 3 + 2]!;
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  if (src.length === n) {
    for (let i = 0; i < n; i++) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = src[i]!;
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  // 1 bit per pixel, rows padded to bytes.
  const rowBytes = Math.ceil(img.width / 8);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const bit = (src[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
      const v = bit ? 255 : 0;
      const i = y * img.width + x;
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = v;
      out[i * 4 + 3] = 255;
    }
  }
  return out;
}

export interface PdfImageQr {
  page: number;
  /** Position of the image on the page in PDF points from the top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

/**
 * Finds the images painted on each page and decodes those that are QR codes. Positions come
 * from the current transformation matrix at the paint operation (origin bottom-left, converted
 * to top-left coordinates).
 */
export async function decodePdfQrCodes(data: Uint8Array): Promise<PdfImageQr[]> {
  const doc = await open(data);
  const found: PdfImageQr[] = [];
  try {
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const pageHeight = page.view[3]! - page.view[1]!;
      const ops = await page.getOperatorList();
      const stack: number[][] = [];
      let ctm = [1, 0, 0, 1, 0, 0];
      const mul = (m: number[], n: number[]): number[] => [
        m[0]! * n[0]! + m[1]! * n[2]!,
        m[0]! * n[1]! + m[1]! * n[3]!,
        m[2]! * n[0]! + m[3]! * n[2]!,
        m[2]! * n[1]! + m[3]! * n[3]!,
        m[4]! * n[0]! + m[5]! * n[2]! + n[4]!,
        m[4]! * n[1]! + m[5]! * n[3]! + n[5]!,
      ];
      for (let i = 0; i < ops.fnArray.length; i++) {
        const fn = ops.fnArray[i];
        const args = ops.argsArray[i] as unknown[];
        if (fn === pdfjs.OPS.save) stack.push(ctm);
        else if (fn === pdfjs.OPS.restore) ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
        else if (fn === pdfjs.OPS.transform) ctm = mul(args as number[], ctm);
        else if (fn === pdfjs.OPS.paintImageXObject) {
          const name = args[0] as string;
          const img = await new Promise<DecodedImage>((resolve) => {
            if (page.objs.has(name)) resolve(page.objs.get(name) as DecodedImage);
            else page.objs.get(name, (o: unknown) => resolve(o as DecodedImage));
          });
          if (!img?.data) continue;
          const rgba = toRgba(img);
          const code = jsQR(rgba, img.width, img.height);
          if (code) {
            const w = Math.abs(ctm[0]!);
            const h = Math.abs(ctm[3]!);
            found.push({ page: p, x: ctm[4]!, y: pageHeight - ctm[5]! - h, width: w, height: h, text: code.data });
          }
        }
      }
    }
    return found;
  } finally {
    await doc.destroy();
  }
}
