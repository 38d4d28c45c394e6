import { createHash } from 'node:crypto';
import { css as adminCss } from './css/admin.ts';
import { css as accountCss } from './css/account.ts';
import { css as dashboardCss } from './css/dashboard.ts';
import { css as paymentsCss } from './css/payments.ts';
import { css as staffCss } from './css/staff.ts';
import { css as enhanceCss } from './css/enhance.ts';
import { css as securityCss } from './css/security.ts';

/**
 * The portal's one stylesheet, served at /assets/site.css?v=<hash> with a year-long cache: the
 * hash changes with the content, so a deploy never serves stale styles. Mobile first (works at
 * 360px without horizontal scrolling), AA contrast (text #0b0c0c on white, links #1d4f91),
 * a thick yellow focus ring like GOV.UK's, and no web fonts.
 */
const CORE_CSS = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1rem;line-height:1.5;color:#0b0c0c;background:#fff;overflow-wrap:anywhere}
a{color:#1d4f91;text-decoration:underline;text-underline-offset:.15em}
a:visited{color:#4c2c92}
a:hover{color:#003078;text-decoration-thickness:3px}
a:focus,button:focus,input:focus,select:focus,summary:focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
a:focus{background:#ffdd00;color:#0b0c0c;box-shadow:0 -2px #ffdd00,0 4px #0b0c0c;text-decoration:none;outline:none}
.skip{position:absolute;left:-9999px;top:0;padding:.5rem 1rem}
.skip:focus{left:0;z-index:10}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
header.site{background:#0b0c0c;color:#fff;border-bottom:8px solid #b10e1e}
header.site .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding-top:.75rem;padding-bottom:.75rem}
header.site a,header.site a:visited{color:#fff}
header.site a:focus{color:#0b0c0c}
.brand{font-weight:700;font-size:1.125rem;text-decoration:none}
.tools{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:0;padding:0;list-style:none}
.tools form{margin:0}
.linkbtn{background:none;border:0;padding:0;color:#fff;font:inherit;text-decoration:underline;cursor:pointer}
nav.main{background:#f3f2f1;border-bottom:1px solid #b1b4b6}
nav.main ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:0;padding:.5rem 0;list-style:none}
main{display:block;padding:1.5rem 0 3rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 1rem}
h2{font-size:1.375rem;line-height:1.25;margin:2rem 0 .75rem}
h3{font-size:1.125rem;margin:1.25rem 0 .5rem}
.lead{font-size:1.125rem}
.hint{color:#505a5f;margin:0 0 .5rem}
label,legend{display:block;font-weight:700;margin-bottom:.25rem}
input[type=text],input[type=search],input[type=password],select{font:inherit;width:100%;max-width:32rem;min-height:2.5rem;padding:.25rem .5rem;border:2px solid #0b0c0c;border-radius:0;background:#fff;color:#0b0c0c}
.field{margin-bottom:1.25rem}
.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.inline input{flex:1 1 14rem}
button,.button{display:inline-block;font:inherit;font-weight:700;min-height:2.5rem;padding:.5rem 1rem;border:0;border-radius:0;background:#00703c;color:#fff;box-shadow:0 2px 0 #002d18;cursor:pointer;text-decoration:none}
.button:visited,.button:hover{color:#fff}
button.secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
.start{font-size:1.125rem;padding:.75rem 1.25rem}
.error-summary{border:5px solid #d4351c;padding:1rem;margin-bottom:1.5rem}
/* The summary takes focus when the page loads (autofocus): the same yellow ring as the controls. */
.error-summary:focus{outline:3px solid #ffdd00;outline-offset:0}
.error-summary h2{margin-top:0}
.error-summary a,.error-message{color:#d4351c;font-weight:700}
ul.error-message{margin:0 0 .5rem;padding-left:1.25rem}
.field-error{border-left:5px solid #d4351c;padding-left:.75rem}
.field-error input{border-color:#d4351c}
.notice{border-left:5px solid #1d70b8;background:#f3f2f1;padding:.75rem 1rem;margin:1rem 0}
.results{list-style:none;margin:0;padding:0}
.results li{border-bottom:1px solid #b1b4b6;padding:.75rem 0}
.results a{font-weight:700;font-size:1.0625rem}
.meta{color:#505a5f;font-size:.9375rem;margin:.25rem 0 0}
.tag{display:inline-block;padding:0 .4rem;background:#cce2d8;color:#005a30;font-weight:700;font-size:.875rem}
.tag.partial{background:#fff7bf;color:#594d00}
dl.summary{margin:0 0 1.5rem}
dl.summary div{border-bottom:1px solid #b1b4b6;padding:.5rem 0}
dl.summary dt{font-weight:700}
dl.summary dd{margin:0}
/* The wrapper is the containing block of what is absolutely placed inside it (visually hidden text in a cell's link): otherwise that text sits at its cell's place, relative to the page, and a wide table widens the page though the wrapper scrolls. */
.table-wrap{overflow-x:auto;position:relative}
/* The wrapper is a focusable region (layout.ts scrollTable) so the keyboard can scroll it: it gets the focus ring of links and buttons. */
.table-wrap:focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
/* Words stay whole in the cells of a scrolling table (the body's overflow-wrap:anywhere would split "Loại"): lines wrap at spaces, and a table wider than the screen scrolls. */
.table-wrap th,.table-wrap td{overflow-wrap:break-word}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.5rem .5rem .5rem 0;border-bottom:1px solid #b1b4b6}
.num{text-align:right;white-space:nowrap}
.cols{display:grid;gap:0 2rem}
.cols ul{margin:0;padding-left:1.25rem}
.panel{background:#00703c;color:#fff;padding:1.5rem;margin:0 0 1.5rem;text-align:center}
.panel h1{margin-top:0;color:#fff}
.panel .code{display:block;font-size:1.75rem;font-weight:700;word-break:break-all}
.field-error textarea,.field-error select{border-color:#d4351c}
.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:1.5rem 0}
.component{border-top:1px solid #b1b4b6;padding:1rem 0}
.component h3{margin:0 0 .25rem}
.files{padding-left:1.25rem}
.files form{display:inline;margin-left:.5rem}
button.link{background:none;box-shadow:none;color:#1d70b8;text-decoration:underline;padding:0;min-height:0;font-weight:400}
.pager{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;margin-top:1.5rem}
footer.site{border-top:1px solid #b1b4b6;background:#f3f2f1;padding:1.5rem 0;font-size:.9375rem}
@media (min-width:40rem){h1{font-size:2.25rem}dl.summary div{display:flex;gap:1rem}dl.summary dt{flex:0 0 14rem}.cols{grid-template-columns:1fr 1fr}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}
`;

// Areas of the portal with their own rules keep them in `css/<area>.ts` (exporting `css`) and add them here.
export const SITE_CSS = [CORE_CSS, adminCss, staffCss, paymentsCss, dashboardCss, accountCss, enhanceCss, securityCss].join('');

export const SITE_CSS_VERSION = createHash('sha256').update(SITE_CSS).digest('hex').slice(0, 12);
export const SITE_CSS_PATH = `/assets/site.css?v=${SITE_CSS_VERSION}`;
