/** The administrators' pages: repeated-row editors, cards on the admin home, compact inputs. */
export const css = `.cards{list-style:none;margin:0;padding:0;display:grid;gap:1rem}
@media (min-width:40rem){.cards{grid-template-columns:1fr 1fr}}
.cards li{border-top:4px solid #1d4f91;padding:.5rem 0}
.cards h2{margin:.25rem 0;font-size:1.25rem}
.row-set{border:1px solid #b1b4b6;padding:.75rem;margin:0 0 1rem}
.row-set legend{font-weight:700;padding:0 .25rem}
.row-grid{display:grid;gap:0 1rem;grid-template-columns:1fr}
@media (min-width:40rem){.row-grid{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (min-width:60rem){.row-grid{grid-template-columns:repeat(3,minmax(0,1fr))}}
.row-grid .field,.row-grid .check{margin-bottom:.75rem}
input.narrow{max-width:14rem}
.check{display:flex;gap:.5rem;align-items:center;margin:.25rem 0}
.check input{width:1.5rem;height:1.5rem;flex:none}
form.inline{display:inline}
.inline-search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:1rem 0}
.inline-search .field{margin:0}
.caption{display:block;color:#505a5f;font-size:1rem;font-weight:400}
.preview{border-left:5px solid #b1b4b6;padding-left:1rem}
.notice.warn{border-left-color:#d4351c}
.notice.warn ul{margin:.25rem 0}
.preview-form{border:2px dashed #b1b4b6;padding:1rem}
.back{margin:0 0 1rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);border:0;white-space:nowrap}
`;
