import { describe, expect, it } from 'vitest';
import { barChart, changeMarker, columnChart, lineChart, shorten } from './charts.ts';

const fmt = (n: number) => n.toFixed(2).replace('.', ',');
const text = { id: 'c1', title: 'Điểm theo nhóm', desc: 'Năm nhóm chỉ số <tổng 100>' };

describe('server-side SVG charts', () => {
  it('draws bars proportional to the maximum, with text alternatives and no style attributes', () => {
    const svg = barChart(
      text,
      [
        { label: 'Tiến độ', value: 10 },
        { label: 'Số hóa <b>', value: 20, emphasis: true },
        { label: 'Hài lòng', value: null },
      ],
      { max: 20, format: fmt, naLabel: 'Không áp dụng' },
    ).value;
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Điểm theo nhóm"');
    expect(svg).toContain('<title id="c1-title">Điểm theo nhóm</title>');
    expect(svg).toContain('<desc id="c1-desc">Năm nhóm chỉ số &lt;tổng 100&gt;</desc>');
    expect(svg).not.toMatch(/style=/);
    expect(svg).not.toContain('<b>');
    // bar area is 640 - 230 - 90 = 320 wide: 10/20 → 160, 20/20 → 320.
    expect(svg).toContain('class="bar" x="230" y="8" width="160"');
    expect(svg).toContain('class="bar bar-em" x="230" y="36" width="320"');
    expect(svg.match(/class="bar/g)).toHaveLength(2);
    expect(svg).toContain('>Không áp dụng</text>');
    expect(svg).toContain('<title>Tiến độ: 10,00</title>');
  });

  it('marks a label in another language than the page’s on its <text> and its bar’s <title>, not the value', () => {
    const svg = barChart(
      { id: 'c2', title: 'Agencies ranked', desc: 'Share of points' },
      [
        { label: '1. Sở Tư pháp', value: 50, lang: 'vi' },
        { label: '2. Sở Nội vụ', value: null, lang: 'vi' },
        { label: 'Total', value: 40 },
      ],
      { max: 100, format: (n) => `${n}%`, naLabel: 'Not applicable' },
    ).value;
    expect(svg).toContain('text-anchor="end" lang="vi">1. Sở Tư pháp</text>');
    expect(svg).toContain('<title lang="vi">1. Sở Tư pháp: 50%</title>');
    expect(svg).toContain('text-anchor="end" lang="vi">2. Sở Nội vụ</text>');
    expect(svg).toContain('text-anchor="end">Total</text>');
    expect(svg).toContain('<title>Total: 40%</title>');
    expect(svg).toMatch(/<text class="value" [^>]*>Not applicable<\/text>/);
    expect(svg.match(/lang="vi"/g)).toHaveLength(3);
    expect(svg).toContain('aria-label="Agencies ranked"');
  });

  it('clamps values outside 0..max', () => {
    const svg = barChart(
      text,
      [
        { label: 'a', value: 40 },
        { label: 'b', value: -3 },
      ],
      { max: 20, format: fmt, naLabel: '-' },
    ).value;
    expect(svg).toContain('width="320"');
    expect(svg).toContain('class="bar" x="230" y="36" width="0"');
  });

  it('draws lines with gaps where a value is missing, and a target line', () => {
    const svg = lineChart(
      { id: 'l', title: 'Đúng hạn', desc: 'Tỷ lệ theo tháng' },
      ['01', '02', '03', '04'],
      [{ name: 'Tỷ lệ', cls: 's1', values: [50, null, 100, 75] }],
      {
        max: 100,
        format: (n) => `${n}%`,
        target: { value: 80, label: 'Mục tiêu 80%' },
      },
    ).value;
    // plot 584 wide / 4 slots = 146; x = 48 + 73 + i*146; y = 28 + 190 - 1.9*v.
    expect(svg).toContain('<polyline class="line" points="413,28 559,75.5">');
    expect(svg.match(/<polyline/g)).toHaveLength(1); // the single point before the gap has no line
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('<title>03 — Tỷ lệ: 100%</title>');
    expect(svg).toContain('class="target" x1="48" y1="66" x2="632" y2="66"');
  });

  it('draws grouped columns on a rounded scale', () => {
    const svg = columnChart(
      { id: 'c', title: 'Hồ sơ', desc: 'Theo tháng' },
      ['01', '02'],
      [
        { name: 'Tiếp nhận', cls: 's1', values: [40, 90] },
        { name: 'Giải quyết', cls: 's2', values: [30, 0] },
      ],
      { format: String },
    ).value;
    // max 90 → scale 100; 90 → 171 of 190 px.
    expect(svg).toContain('height="171"><title>02 — Tiếp nhận: 90</title>');
    expect(svg).toContain('>100</text>');
    expect(svg.match(/class="col /g)).toHaveLength(4);
  });

  it('writes changes in words and shortens long labels', () => {
    const words = { up: 'tăng', down: 'giảm', same: 'không đổi', none: 'chưa có kỳ trước' };
    expect(changeMarker(1.234, words, fmt).value).toContain('tăng 1,23');
    expect(changeMarker(-0.5, words, fmt).value).toContain('giảm 0,50');
    expect(changeMarker(0.001, words, fmt).value).toContain('không đổi');
    expect(changeMarker(null, words, fmt).value).toContain('chưa có kỳ trước');
    expect(shorten('Trung tâm Phục vụ hành chính công tỉnh Ninh Bình')).toBe('Trung tâm Phục vụ hành chính…');
  });
});
