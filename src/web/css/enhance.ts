/** Rules for what the portal's script adds: the upload progress bar under an upload form. */
export const css = `.upload-progress{margin:.75rem 0 0}
.upload-progress progress{display:block;width:100%;max-width:32rem;height:1.25rem;accent-color:#00703c}
.upload-progress p{margin:.25rem 0 0;font-weight:700}
`;
