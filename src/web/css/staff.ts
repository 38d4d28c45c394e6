/**
 * The officers' pages (worklist tabs, responsive table, deadline tags, action forms, timeline)
 * and the citizen's dossier page. Deadline colours always come with words; AA contrast.
 */
export const css = `.tabs{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0 0 1rem;padding:0;border-bottom:1px solid #b1b4b6}
.tabs li{margin:0}
.tabs a{display:block;padding:.5rem .75rem;background:#f3f2f1;text-decoration:none;border:1px solid transparent}
.tabs li.current a{background:#fff;border-color:#b1b4b6;border-bottom-color:#fff;color:#0b0c0c;font-weight:700}
.filters{margin:0 0 1rem;border:1px solid #b1b4b6;padding:.5rem 1rem}
.filters summary{cursor:pointer;font-weight:700;color:#1d4f91}
input[type=number],input[type=date],input[type=email],input[type=tel],textarea{font:inherit;width:100%;max-width:32rem;min-height:2.5rem;padding:.25rem .5rem;border:2px solid #0b0c0c;border-radius:0;background:#fff;color:#0b0c0c}
input.short{max-width:12rem}
textarea:focus,input[type=radio]:focus,input[type=checkbox]:focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
.choice{display:flex;gap:.5rem;align-items:center;margin:.25rem 0}
.choice input,.field>input[type=checkbox]{width:1.5rem;height:1.5rem;flex:none;margin:0}
label.inline-label,.choice label{display:inline;font-weight:400}
fieldset{border:0;margin:0;padding:0;min-width:0}
button.warning{background:#d4351c;box-shadow:0 2px 0 #55150b}
.due{display:inline-block;padding:0 .3rem}
.due-soon{background:#fff7bf;color:#594d00;border-left:4px solid #ffdd00}
.due-over{background:#f6d7d2;color:#942514;border-left:4px solid #d4351c}
.due-paused{background:#e8f1f8;color:#0b0c0c;border-left:4px solid #1d70b8}
.worklist td a{font-weight:700}
@media (max-width:39.99rem){.worklist thead{position:absolute;left:-9999px}.worklist,.worklist tbody,.worklist tr,.worklist td{display:block;width:100%}.worklist tr{border-bottom:2px solid #b1b4b6;padding:.5rem 0}.worklist td{border:0;padding:.1rem 0}.worklist td::before{content:attr(data-label) ": ";font-weight:700}}
.action{border-top:1px solid #b1b4b6;padding:.5rem 0 1rem}
.action h3{margin-top:.5rem}
.timeline{list-style:none;margin:0 0 1.5rem;padding:0 0 0 1rem;border-left:4px solid #b1b4b6}
.timeline li{margin:0 0 1rem;position:relative}
.timeline li::before{content:"";position:absolute;left:-1.5rem;top:.4rem;width:.75rem;height:.75rem;border-radius:50%;background:#1d4f91}
.timeline p{margin:0}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);border:0;white-space:nowrap}
.note{white-space:pre-line;border-left:4px solid #b1b4b6;padding-left:.75rem;margin:.25rem 0}
`;
