/**
 * The portal's icon: the header's colours (near-black, the red rule under it) with "TS" (Tỉnh Số),
 * as SVG (a few hundred bytes, sharp at any size). Pages link it (`layout.ts`), and `/favicon.ico`
 * answers with it too, for clients that ask for that path without reading the page (browsers do on
 * a first visit): a 404 there is a console error on every new profile.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" fill="#0b0c0c"/><rect y="26" width="32" height="6" fill="#b10e1e"/><text x="16" y="20" font-family="Arial,Helvetica,sans-serif" font-size="15" font-weight="700" text-anchor="middle" fill="#fff">TS</text></svg>`;

/** Where pages link the icon; its content never changes under this name (a new icon gets a new name). */
export const FAVICON_PATH = '/assets/favicon-1.svg';
