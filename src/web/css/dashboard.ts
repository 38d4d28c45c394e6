/** The leaders' dashboard and the reports page: score cards, SVG charts, wide report tables. */
export const css = `.dash-filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end;margin:0 0 1.5rem}
.dash-filters .field{margin-bottom:.75rem}
.dash-filters input[type=date],.dash-filters input[type=text]{font:inherit;min-height:2.5rem;padding:.25rem .5rem;border:2px solid #0b0c0c;border-radius:0;max-width:12rem}
.dash-filters .field-error input,.dash-filters .field-error select{border-color:#d4351c}
.dash-score{display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:baseline;border-left:8px solid #1d4f91;padding:.5rem 1rem;margin:0 0 1.5rem;background:#f3f2f1}
.dash-score .big{font-size:2.5rem;font-weight:700;line-height:1.1}
.dash-score p{margin:0}
.delta{font-weight:700;white-space:nowrap}
.delta.up{color:#005a30}
.delta.down{color:#942514}
.delta.same{color:#505a5f}
.chart{display:block;max-width:48rem;height:auto;margin:.5rem 0 1rem;font-family:inherit}
.chart text{font-size:13px;fill:#0b0c0c}
.chart .axis{font-size:12px;fill:#505a5f}
.chart .track{fill:#f3f2f1}
.chart .bar{fill:#1d70b8}
.chart .bar-em{fill:#003078}
.chart .grid{stroke:#b1b4b6;stroke-width:1}
.chart .target{stroke:#d4351c;stroke-width:2;stroke-dasharray:6 4}
.chart .col.s1,.chart .key.s1{fill:#1d70b8}
.chart .col.s2,.chart .key.s2{fill:#00703c}
.chart .line{fill:none;stroke:#1d70b8;stroke-width:3}
.chart .dot{fill:#1d70b8;stroke:#fff;stroke-width:1}
.chart .key.s1{fill:#1d70b8}
.dash-grid{display:grid;gap:0 2rem}
@media (min-width:60rem){.dash-grid{grid-template-columns:1fr 1fr}}
.dash-table-wrap{position:relative;overflow-x:auto;margin:0 0 1rem;max-width:100%}
.error-message:has(> .dash-vh){position:relative}
.dash-table-wrap:focus{outline:3px solid #ffdd00}
table.report{font-size:.9375rem}
table.report th,table.report td{padding:.375rem .5rem;border:1px solid #b1b4b6}
table.report thead th{background:#f3f2f1;vertical-align:bottom}
table.report tfoot td,table.report tfoot th{font-weight:700;background:#f3f2f1}
.downloads{list-style:none;padding:0;margin:0 0 1.5rem}
.downloads li{margin:.25rem 0}
.tag.bad{background:#f6d7d2;color:#942514}
.tag.good{background:#cce2d8;color:#005a30}
.dash-vh{position:absolute!important;top:0;left:0;width:1px!important;height:1px!important;margin:0;padding:0;overflow:hidden!important;clip:rect(0 0 0 0);clip-path:inset(50%);border:0;white-space:nowrap}
.filter-links{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;list-style:none;padding:0;margin:0 0 1rem}
.filter-links [aria-current]{font-weight:700;text-decoration:none;color:#0b0c0c}
`;
