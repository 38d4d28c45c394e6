import { createHash } from 'node:crypto';

/**
 * The portal's one script, served at /assets/portal.js?v=<hash> with a year-long cache (the hash
 * changes with the content). Pages work the same without it; with it:
 * - upload forms (inside `[data-uploads]`) are sent with XMLHttpRequest to the same endpoint,
 *   with a `<progress>` per file and an aria-live percentage; the page the server answers with
 *   (the redirect target, or the page with the error) replaces this one, as a normal post would;
 *   a file over `data-max-bytes` is stopped early with the server's own message; while a file is
 *   sending, every button of the page's main part is disabled (save, continue, submit, other
 *   uploads: any would leave the page and cut the upload short), with `data-msg-busy` shown
 *   before each group of them, and enabled again if the upload fails; after the upload the page
 *   lands on the file's input, or on the box's `data-land` element (the officers' result form:
 *   its confirmation);
 * - search forms (`form[data-instant]`) fetch the results part (`GET /tim-kiem`) 250 ms after
 *   the last keystroke, put it in `#ket-qua`, announce the count and update the URL
 *   (`history.replaceState`) so the result can be shared; Enter still submits the form;
 * - any other form that posts is sent once: a second submit within 5 s (a double click) is
 *   dropped, so the officer lands on the first post's answer, not on the conflict the second
 *   would meet.
 * Every word it shows comes from data attributes the server writes (the message catalogue).
 * Plain ES2017 for the browsers citizens have; no framework, no build step.
 */
const SOURCE = String.raw`(function () {
  'use strict';
  var d = document;
  var fmt = function (s, o) {
    return (s || '').replace(/\{(\w+)\}/g, function (m, k) { return k in o ? o[k] : m; });
  };
  var el = function (tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  };

  // Shows a page the server sent (after an upload) in place of this one, as a normal form post would.
  function show(htmlText, url, focusId) {
    var doc = new DOMParser().parseFromString(htmlText, 'text/html');
    d.title = doc.title;
    d.body.replaceWith(d.adoptNode(doc.body));
    if (url) history.replaceState(null, '', url);
    init();
    var target = (focusId && d.getElementById(focusId)) || d.querySelector('.error-summary') || d.getElementById('main');
    if (target) target.focus();
  }

  function progressFor(form, box, name) {
    var old = form.querySelector('.upload-progress');
    if (old) old.remove();
    var wrap = el('div', { class: 'upload-progress' });
    var bar = el('progress', { max: '100', value: '0', 'aria-label': fmt(box.dataset.msgLabel, { name: name }) });
    var text = el('p', { 'aria-live': 'polite' });
    wrap.append(bar, text);
    form.append(wrap);
    var step = -1;
    return function (pct) {
      bar.value = pct;
      // Say it in steps of 10 %, not at every event (screen readers would stutter).
      if (Math.floor(pct / 10) !== step) {
        step = Math.floor(pct / 10);
        text.textContent = fmt(box.dataset.msgProgress, { name: name, n: pct });
      }
      return text;
    };
  }

  function fieldError(form, input, message) {
    var field = input.closest('.field');
    var id = input.id + '-error';
    var p = d.getElementById(id) || el('p', { class: 'error-message', id: id });
    p.textContent = message;
    if (!p.parentNode) input.before(p);
    (input.closest('.component') || field).classList.add('field-error');
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.focus();
  }

  // While a file is sending, no button may leave the page; each group of them says why.
  function busy(box, on) {
    d.querySelectorAll('.upload-busy').forEach(function (p) { p.remove(); });
    d.querySelectorAll('main button').forEach(function (b) {
      if (!on) {
        if (b.dataset.busy) b.disabled = false;
        delete b.dataset.busy;
      } else if (!b.disabled) {
        b.disabled = true;
        b.dataset.busy = '1';
        var at = b.closest('.actions') || b;
        var prev = at.previousElementSibling;
        if (!b.closest('[data-uploads]') && !(prev && prev.matches('.upload-busy'))) at.before(el('p', { class: 'hint upload-busy' }, box.dataset.msgBusy));
      }
    });
  }

  function upload(form, box) {
    form.addEventListener('submit', function (e) {
      var input = form.querySelector('input[type=file]');
      var file = input && input.files && input.files[0];
      // No file: the server says "choose a file", as without the script.
      if (!file) return;
      e.preventDefault();
      var max = Number(box.dataset.maxBytes);
      if (max && file.size > max) return fieldError(form, input, box.dataset.msgSize);
      var set = progressFor(form, box, file.name);
      set(0);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) set(Math.min(99, Math.floor((ev.loaded / ev.total) * 100)));
      };
      xhr.onload = function () {
        var ok = xhr.status < 300;
        if (!ok) return show(xhr.responseText, null, null);
        // The server redirected to the page with the file listed (#the component, or data-land): show it, with the bar full.
        var land = box.dataset.land;
        show(xhr.responseText, xhr.responseURL.split('#')[0] + '#' + (land || input.id), land || input.id);
        if (land) return;
        var again = d.getElementById(input.id);
        var newForm = again && again.form;
        var newBox = newForm && newForm.closest('[data-uploads]');
        if (newBox) progressFor(newForm, newBox, file.name)(100).textContent = fmt(newBox.dataset.msgDone, { name: file.name });
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () {
        busy(box, false);
        set(0).textContent = box.dataset.msgFailed;
      };
      busy(box, true);
      xhr.send(new FormData(form));
    });
  }

  function query(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === 'string' && v.trim()) params.append(k, v.trim());
    });
    return params.toString();
  }

  function instant(form) {
    var input = form.querySelector('input[type=search]');
    var region = d.getElementById('ket-qua');
    if (!input || !region) return;
    var home = form.dataset.instant === 'home';
    var live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
    form.after(live);
    var h1 = d.querySelector('h1');
    var suffix = d.title.slice(d.title.indexOf(' — '));
    var last = query(form);
    var timer = 0;
    var ctrl = null;
    var run = function () {
      var qs = query(form);
      if (qs === last) return;
      last = qs;
      if (ctrl) ctrl.abort();
      if (home && !input.value.trim()) {
        region.textContent = '';
        history.replaceState(null, '', '/');
        return;
      }
      ctrl = new AbortController();
      fetch('/tim-kiem?' + qs, { signal: ctrl.signal, credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.text();
        })
        .then(function (text) {
          region.innerHTML = text;
          var res = region.firstElementChild;
          var count = res && res.querySelector('p, .notice');
          live.textContent = count ? count.textContent : '';
          history.replaceState(null, '', '/thu-tuc' + (qs ? '?' + qs : ''));
          var title = res && res.dataset.title;
          if (title && !home) {
            if (h1) h1.textContent = title;
            d.title = title + suffix;
          }
        })
        // A newer search, or offline: Enter still submits the form.
        .catch(function () {});
    };
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    };
    input.addEventListener('input', later);
    form.addEventListener('change', later);
  }

  // A form posted once is not posted again for a few seconds (a double click, an impatient second
  // press): the second post would find the first one's change and answer with a conflict. Uploads
  // have their own handling; the flag clears in case the answer was a download (the page stays) and
  // when the page comes back from the history.
  d.addEventListener('submit', function (e) {
    var f = e.target;
    if (e.defaultPrevented || (f.getAttribute('method') || '').toLowerCase() !== 'post') return;
    if (f.dataset.sent) return e.preventDefault();
    f.dataset.sent = '1';
    setTimeout(function () { delete f.dataset.sent; }, 5000);
  });
  window.addEventListener('pageshow', function () {
    d.querySelectorAll('form[data-sent]').forEach(function (f) { delete f.dataset.sent; });
  });

  function init() {
    d.querySelectorAll('[data-uploads]').forEach(function (box) {
      box.querySelectorAll('form[enctype="multipart/form-data"]').forEach(function (f) { upload(f, box); });
    });
    d.querySelectorAll('form[data-instant]').forEach(instant);
  }

  if (window.FormData && window.fetch && window.DOMParser) init();
})();
`;

/** The script as served: the source without indentation and comment lines (a few hundred bytes less). */
export const PORTAL_JS = SOURCE.split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('//'))
  .join('\n');

export const PORTAL_JS_VERSION = createHash('sha256').update(PORTAL_JS).digest('hex').slice(0, 12);
export const PORTAL_JS_PATH = `/assets/portal.js?v=${PORTAL_JS_VERSION}`;
