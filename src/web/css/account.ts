/** Sign-in second step and the account page: the QR code, recovery codes, session sign-out forms. */
export const css = `img.qr{display:block;width:200px;height:200px;max-width:100%;border:1px solid #b1b4b6;background:#fff}
ul.codes{list-style:none;margin:0 0 1.5rem;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
ul.codes code{font-size:1.125rem;letter-spacing:.05em}
td form{margin:.25rem 0 0}
ul.sessions{list-style:none;margin:0 0 1.5rem;padding:0}
ul.sessions>li{border-top:1px solid #b1b4b6;padding:.75rem 0}
ul.sessions>li.current{border-left:5px solid #1d70b8;padding-left:.75rem}
.session-device{margin:0 0 .25rem;overflow-wrap:anywhere}
dl.session-facts{margin:0 0 .5rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.25rem 1rem}
dl.session-facts dt{color:#505a5f;font-size:.875rem}
dl.session-facts dd{margin:0;overflow-wrap:anywhere}
a.button.secondary,a.button.secondary:visited,a.button.secondary:hover{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
ul.data-requests{list-style:none;margin:0 0 1.5rem;padding:0}
ul.data-requests li{border-top:1px solid #b1b4b6;padding:.5rem 0}
ul.data-requests p{margin:.25rem 0}
.request-details{white-space:pre-wrap;overflow-wrap:anywhere}
`;
