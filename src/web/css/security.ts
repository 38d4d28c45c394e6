/** The security officers' page (/an-ninh): events as cards that read on a phone, severity in words and colour. */
export const css = `ol.sec-events{list-style:none;margin:0 0 1.5rem;padding:0}
ol.sec-events>li{border:1px solid #b1b4b6;border-left:6px solid #505a5f;padding:.75rem 1rem;margin:0 0 1rem}
ol.sec-events>li.sev-medium{border-left-color:#b58800}
ol.sec-events>li.sev-high{border-left-color:#d4351c}
ol.sec-events>li.sev-critical{border-left-color:#942514;background:#fdf4f3}
ol.sec-events h3{margin:0 0 .25rem}
ol.sec-events p{margin:0 0 .5rem}
.sev{display:inline-block;padding:0 .4rem;font-size:.875rem;background:#f3f2f1;color:#0b0c0c}
.sev.sev-medium{background:#fff7bf;color:#594d00}
.sev.sev-high{background:#d4351c;color:#fff}
.sev.sev-critical{background:#942514;color:#fff}
.sec-summary{overflow-wrap:anywhere}
dl.sec-facts{margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.25rem 1rem}
dl.sec-facts dt{color:#505a5f;font-size:.875rem}
dl.sec-facts dd{margin:0;overflow-wrap:anywhere}
`;
