/**
 * Charts drawn on the server as inline SVG: no script, readable without JavaScript, and
 * accessible (role="img", an aria-label, <title> and <desc>; pages put a data table beside
 * each chart). Colours come from the stylesheet (classes), never from style attributes, so the
 * strict CSP holds. Every text goes through the escaping `html` tag.
 */
import { html, raw, type SafeHtml } from './html.ts';

export interface ChartText {
  /** A unique id on the page (for <title>/<desc> references). */
  id: string;
  title: string;
  desc: string;
}

export interface Bar {
  label: string;
  /** null = not applicable (shown as `naLabel`, no bar). */
  value: number | null;
  /** Shown after the bar instead of the formatted value. */
  valueText?: string;
  /** Marks a bar (e.g. the unit being viewed) with the `bar-em` class. */
  emphasis?: boolean;
  /**
   * The label's language when it is not the page's (a unit's Vietnamese name on an English page:
   * `vi`), set on the label's `<text>` and the bar's `<title>` (SVG elements take `lang` as HTML's do).
   */
  lang?: string | undefined;
}

const LABEL_CHARS = 30;
/** Shortens a label for the chart (the table beside it has it whole). */
export function shorten(s: string, max = LABEL_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

function svgOpen(t: ChartText, w: number, h: number, cls: string): SafeHtml {
  return html`<svg class="chart ${cls}" role="img" aria-label="${t.title}" aria-describedby="${t.id}-desc" viewBox="0 0 ${w} ${h}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false" id="${t.id}"><title id="${t.id}-title">${t.title}</title><desc id="${t.id}-desc">${t.desc}</desc>`;
}

/** Horizontal bars, one per row, scaled to `max`; the value is written after each bar. */
export function barChart(t: ChartText, bars: readonly Bar[], o: { max: number; format: (n: number) => string; naLabel: string }): SafeHtml {
  const W = 640;
  const labelW = 230;
  const valueW = 90;
  const rowH = 28;
  const barW = W - labelW - valueW;
  const H = Math.max(1, bars.length) * rowH + 8;
  const scale = (v: number) => (o.max > 0 ? Math.max(0, Math.min(1, v / o.max)) * barW : 0);
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = b.value === null ? 0 : r1(scale(b.value));
    const text = b.value === null ? o.naLabel : (b.valueText ?? o.format(b.value));
    const lang = b.lang ? html` lang="${b.lang}"` : null;
    return html`<g class="row"><text class="label" x="${labelW - 8}" y="${y + 18}" text-anchor="end"${lang}>${shorten(b.label)}</text><rect class="track" x="${labelW}" y="${y + 4}" width="${barW}" height="18"></rect>${
      b.value === null
        ? null
        : html`<rect class="${b.emphasis ? 'bar bar-em' : 'bar'}" x="${labelW}" y="${y + 4}" width="${w}" height="18"><title${lang}>${b.label}: ${text}</title></rect>`
    }<text class="value" x="${labelW + barW + 6}" y="${y + 18}">${text}</text></g>`;
  });
  return html`${svgOpen(t, W, H, 'chart-bars')}${rows}</svg>`;
}

export interface Series {
  name: string;
  /** CSS class of the series (s1, s2...). */
  cls: string;
  values: readonly (number | null)[];
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** Grid lines and y labels for a plot area. */
function yAxis(x0: number, x1: number, y0: number, h: number, max: number, ticks: number, format: (n: number) => string): SafeHtml {
  const lines: SafeHtml[] = [];
  for (let i = 0; i <= ticks; i++) {
    const v = (max * i) / ticks;
    const y = r1(y0 + h - (h * i) / ticks);
    lines.push(
      html`<line class="grid" x1="${x0}" y1="${y}" x2="${x1}" y2="${y}"></line><text class="axis" x="${x0 - 6}" y="${y + 4}" text-anchor="end">${format(v)}</text>`,
    );
  }
  return html`${lines}`;
}

function legend(series: readonly Series[], x: number, y: number): SafeHtml {
  return html`${series.map((s, i) => html`<rect class="key ${s.cls}" x="${x + i * 150}" y="${y}" width="12" height="12"></rect><text class="axis" x="${x + i * 150 + 18}" y="${y + 11}">${s.name}</text>`)}`;
}

/** Grouped columns per category (e.g. dossiers received and resolved per month). */
export function columnChart(t: ChartText, categories: readonly string[], series: readonly Series[], o: { format: (n: number) => string }): SafeHtml {
  const W = 640;
  const H = 260;
  const left = 48;
  const top = 28;
  const plotH = 190;
  const plotW = W - left - 8;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...all));
  const slot = categories.length ? plotW / categories.length : plotW;
  const colW = Math.max(2, (slot * 0.8) / Math.max(1, series.length));
  const cols = categories.map((c, i) => {
    const x0 = left + i * slot + slot * 0.1;
    return html`<g>${series.map((s, j) => {
      const v = s.values[i] ?? null;
      if (v === null) return null;
      const h = r1((plotH * v) / max);
      return html`<rect class="col ${s.cls}" x="${r1(x0 + j * colW)}" y="${r1(top + plotH - h)}" width="${r1(colW)}" height="${h}"><title>${c} — ${s.name}: ${o.format(v)}</title></rect>`;
    })}<text class="axis" x="${r1(left + i * slot + slot / 2)}" y="${top + plotH + 16}" text-anchor="middle">${c}</text></g>`;
  });
  return html`${svgOpen(t, W, H + 12, 'chart-cols')}${legend(series, left, 4)}${yAxis(left, W - 8, top, plotH, max, 4, o.format)}${cols}</svg>`;
}

/** Lines over categories on a fixed scale (e.g. an on-time percentage, 0–100); gaps where a value is null. */
export function lineChart(
  t: ChartText,
  categories: readonly string[],
  series: readonly Series[],
  o: { max: number; format: (n: number) => string; target?: { value: number; label: string } },
): SafeHtml {
  const W = 640;
  const H = 260;
  const left = 48;
  const top = 28;
  const plotH = 190;
  const plotW = W - left - 8;
  const slot = categories.length ? plotW / categories.length : plotW;
  const xOf = (i: number) => r1(left + i * slot + slot / 2);
  const yOf = (v: number) => r1(top + plotH - (plotH * Math.max(0, Math.min(o.max, v))) / o.max);
  const lines = series.map((s) => {
    const segments: string[][] = [];
    let cur: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (cur.length) segments.push(cur);
        cur = [];
      } else cur.push(`${xOf(i)},${yOf(v)}`);
    });
    if (cur.length) segments.push(cur);
    return html`<g class="${s.cls}">${segments.map((seg) => (seg.length > 1 ? html`<polyline class="line" points="${seg.join(' ')}"></polyline>` : null))}${s.values.map(
      (v, i) =>
        v === null
          ? null
          : html`<circle class="dot" cx="${xOf(i)}" cy="${yOf(v)}" r="4"><title>${categories[i] ?? ''} — ${s.name}: ${o.format(v)}</title></circle>`,
    )}</g>`;
  });
  const target = o.target
    ? html`<line class="target" x1="${left}" y1="${yOf(o.target.value)}" x2="${W - 8}" y2="${yOf(o.target.value)}"></line><text class="axis" x="${W - 10}" y="${yOf(o.target.value) - 4}" text-anchor="end">${o.target.label}</text>`
    : null;
  const labels = categories.map((c, i) => html`<text class="axis" x="${xOf(i)}" y="${top + plotH + 16}" text-anchor="middle">${c}</text>`);
  return html`${svgOpen(t, W, H + 12, 'chart-lines')}${legend(series, left, 4)}${yAxis(left, W - 8, top, plotH, o.max, 4, o.format)}${target}${lines}${labels}</svg>`;
}

/** A small up/down marker with words for screen readers (the change against a previous value). */
export function changeMarker(delta: number | null, words: { up: string; down: string; same: string; none: string }, format: (n: number) => string): SafeHtml {
  if (delta === null) return html`<span class="delta">${words.none}</span>`;
  const r = Math.round(delta * 100) / 100;
  if (r === 0) return html`<span class="delta same">${words.same}</span>`;
  const up = r > 0;
  return html`<span class="delta ${up ? 'up' : 'down'}"><span aria-hidden="true">${raw(up ? '&#9650;' : '&#9660;')} </span>${up ? words.up : words.down} ${format(Math.abs(r))}</span>`;
}
