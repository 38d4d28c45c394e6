import { describe, expect, it } from 'vitest';
import { PORTAL_JS, PORTAL_JS_PATH } from './portal-js.ts';
import { dueState, SOON_WORKING_DAYS } from './staff-pages.ts';

describe('the portal script', () => {
  it('is valid JavaScript, small, and carries no words of its own', () => {
    expect(() => new Function(PORTAL_JS)).not.toThrow();
    // 5.8 KB since uploads disable the page's buttons and may name where they land, and posts are sent once (about 2 KB compressed).
    expect(Buffer.byteLength(PORTAL_JS)).toBeLessThan(6 * 1024);
    // Vietnamese words come from the page's data attributes (the message catalogue), never from the script.
    expect(PORTAL_JS).not.toMatch(/[À-ỹ]/);
    expect(PORTAL_JS).not.toMatch(/eval\(|new Function|document\.write/);
    // The one HTML it inserts is the server's escaped results fragment.
    expect(PORTAL_JS.match(/innerHTML/g)).toEqual(['innerHTML']);
    expect(PORTAL_JS).toContain('region.innerHTML = text;');
    expect(PORTAL_JS_PATH).toMatch(/^\/assets\/portal\.js\?v=[0-9a-f]{12}$/);
    // While a file is sending the page's buttons are disabled with the page's own words, and enabled again on failure
    // (e2e/upload-busy.e2e.test.ts drives it in Chromium).
    expect(PORTAL_JS).toContain("d.querySelectorAll('main button')");
    expect(PORTAL_JS).toContain('box.dataset.msgBusy');
    // A form that posts is sent once within 5 s (e2e/results.e2e.test.ts double-clicks the compose form).
    expect(PORTAL_JS).toContain('if (f.dataset.sent) return e.preventDefault();');
    expect(PORTAL_JS).toMatch(/xhr\.onerror = xhr\.onabort = xhr\.ontimeout = function \(\) \{\nbusy\(box, false\);/);
    // A box may name where the page lands after its upload (the officers' result form: its confirmation, #kq-done).
    expect(PORTAL_JS).toContain("show(xhr.responseText, xhr.responseURL.split('#')[0] + '#' + (land || input.id), land || input.id);");
    expect(PORTAL_JS).toContain('var land = box.dataset.land;');
  });
});

describe('dueState with the officer’s N', () => {
  const open = { status: 'in_progress', dueAt: new Date('2026-09-10T10:00:00+07:00'), isPaused: false, isOverdue: false };
  it('is "soon" up to N working days left, "ok" beyond', () => {
    expect(SOON_WORKING_DAYS).toBe(2);
    expect(dueState(open, 2).kind).toBe('soon');
    expect(dueState(open, 2.1).kind).toBe('ok');
    expect(dueState(open, 2.1, 3).kind).toBe('soon');
    expect(dueState(open, 3, 3)).toEqual({ kind: 'soon', days: 3 });
    expect(dueState(open, 3.5, 3)).toEqual({ kind: 'ok', days: 3.5 });
    expect(dueState(open, 0.5, 1).kind).toBe('soon');
  });
  it('never calls a late, paused or finished dossier "soon", whatever N', () => {
    expect(dueState({ ...open, isOverdue: true }, -1, 30).kind).toBe('over');
    expect(dueState({ ...open, isPaused: true }, 1, 30).kind).toBe('paused');
    expect(dueState({ ...open, status: 'returned' }, 1, 30).kind).toBe('finished');
  });
});
