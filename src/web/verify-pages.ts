/** The public verification pages (`/xac-thuc`): check a sealed electronic result by file or code. No script. */
import type { Verification } from '../modules/documents/index.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, layout, tr, viAttr, type PageCtx } from './layout.ts';

export interface VerifyPageInput {
  result?: Verification | null;
  /** Field errors: `file` (upload form) or `ma` (code form). */
  errors?: { field: 'file' | 'ma'; message: string }[];
  code?: string;
}

/** `words`: the value is Vietnamese data (the document's title, the agency's name), marked lang="vi" on an English page. */
const row = (label: string, value: SafeHtml | string, words: SafeHtml | null = null) => html`<div><dt>${label}</dt><dd${words}>${value}</dd></div>`;

function resultBlock(p: PageCtx, r: Verification): SafeHtml {
  const _ = tr(p);
  if (!r.authentic) {
    return html`<div class="error-summary" role="alert" aria-labelledby="verdict"><h2 id="verdict">${_('doc.verify.notAuthentic')}</h2>
<p>${_('doc.verify.notAuthenticLead')}</p></div>
<dl class="summary">${r.documentId ? row(_('doc.verify.documentId'), r.documentId) : null}${row(_('doc.verify.sha256'), html`<code>${r.sha256}</code>`)}</dl>`;
  }
  return html`<div class="notice" role="status" aria-labelledby="verdict"><h2 id="verdict">${_('doc.verify.authentic')}</h2>
<p>${_('doc.verify.authenticLead')}</p></div>
<dl class="summary">
${row(_('doc.verify.docTitle'), r.title ?? '', r.title ? viAttr(p) : null)}
${row(_('doc.verify.dossierCode'), r.dossierCode ?? '')}
${row(_('doc.verify.issuer'), r.issuer ? r.issuer.name : '', r.issuer ? viAttr(p) : null)}
${row(_('doc.verify.issuedAt'), r.issuedAt ? formatVnDateTime(new Date(r.issuedAt)) : '')}
${row(_('doc.verify.documentId'), r.documentId ?? '')}
${row(_('doc.verify.sha256'), html`<code>${r.sha256}</code>`)}
${row(_('doc.verify.keyId'), r.keyId ?? '')}
</dl>
${r.documentId ? html`<p><a href="/api/v1/public/documents/${r.documentId}/file">${_('doc.verify.download')}</a></p>` : null}`;
}

/** The verification page: the verdict (when there is one), then the two ways to check. */
export function verifyPage(p: PageCtx, v: VerifyPageInput): string {
  const _ = tr(p);
  const errors = v.errors ?? [];
  const err = (f: 'file' | 'ma') => errors.find((e) => e.field === f);
  const fileErr = err('file');
  const codeErr = err('ma');
  return layout(
    p,
    _('doc.verify.title'),
    html`${
      errors.length
        ? html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${_('error.summaryTitle')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul></div>`
        : null
    }
<h1>${_('doc.verify.title')}</h1>
${v.result ? resultBlock(p, v.result) : html`<p class="lead">${_('doc.verify.lead')}</p>`}
${v.result ? html`<h2>${_('doc.verify.again')}</h2>` : null}
<form method="post" action="/xac-thuc" enctype="multipart/form-data">
${csrfField(p)}
<div class="field${fileErr ? ' field-error' : ''}"><label for="file">${_('doc.verify.file')}</label>
<p class="hint" id="file-hint">${_('doc.verify.fileHint')}</p>
${fileErr ? html`<p class="error-message" id="file-error">${fileErr.message}</p>` : null}
<input type="file" id="file" name="file" accept="application/pdf,image/jpeg,image/png" aria-describedby="file-hint${fileErr ? ' file-error' : ''}"${fileErr ? html` aria-invalid="true"` : null}></div>
<button type="submit">${_('doc.verify.submit')}</button>
</form>
<h2>${_('doc.verify.idTitle')}</h2>
<form method="get" action="/xac-thuc">
<div class="field${codeErr ? ' field-error' : ''}"><label for="ma">${_('doc.verify.id')}</label>
<p class="hint" id="ma-hint">${_('doc.verify.idHint')}</p>
${codeErr ? html`<p class="error-message" id="ma-error">${codeErr.message}</p>` : null}
<input type="text" id="ma" name="ma" value="${v.code ?? ''}" autocomplete="off" spellcheck="false" autocapitalize="none" aria-describedby="ma-hint${codeErr ? ' ma-error' : ''}"${codeErr ? html` aria-invalid="true"` : null}></div>
<button type="submit">${_('doc.verify.idSubmit')}</button>
</form>
<p><a href="/.well-known/tinhso-keys.json">${_('doc.verify.keys')}</a></p>`,
  );
}
