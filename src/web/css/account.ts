/** Sign-in second step and the account page: the QR code, recovery codes, session sign-out forms. */
export const css = `img.qr{display:block;width:200px;height:200px;max-width:100%;border:1px solid #b1b4b6;background:#fff}
ul.codes{list-style:none;margin:0 0 1.5rem;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
ul.codes code{font-size:1.125rem;letter-spacing:.05em}
td form{margin:.25rem 0 0}
`;
