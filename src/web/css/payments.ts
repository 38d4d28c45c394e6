/** The citizen's payment page: the QR image and the bank details side by side on wide screens. */
export const css = `.pay-grid{display:grid;gap:1.5rem;grid-template-columns:1fr}
@media (min-width:40rem){.pay-grid{grid-template-columns:auto 1fr}}
.pay-qr img{display:block;width:15rem;max-width:100%;height:auto;border:1px solid #b1b4b6}
.pay-amount{font-size:2rem;font-weight:700;margin:.25rem 0}
.pay-payload{font-family:monospace;word-break:break-all}
`;
