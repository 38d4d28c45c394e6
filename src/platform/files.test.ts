import fs from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DrizzleQueryError } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from './errors.ts';
import { LocalFileStore, MAX_FILE_NAME, removeUnlessCommitted, sanitiseFileName, sniffMediaType, writeFailureOutcome } from './files.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);

describe('sanitiseFileName', () => {
  it('shortens a long name in its stem and keeps the extension', () => {
    const name = sanitiseFileName(`${'a'.repeat(296)}.pdf`);
    expect(name).toBe(`${'a'.repeat(MAX_FILE_NAME - 4)}.pdf`);
    expect(name).toHaveLength(MAX_FILE_NAME);
  });

  it('counts characters, not UTF-16 units, and never splits one', () => {
    const name = sanitiseFileName(`${'😀'.repeat(250)}.png`);
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME);
    expect(name.endsWith(`${'😀'}.png`)).toBe(true);
    expect(name).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
  });

  it('keeps a short name, drops the folder and refused characters', () => {
    expect(sanitiseFileName('C:\\Giấy tờ\\tờ khai?.pdf')).toBe('tờ khai_.pdf');
    expect(sanitiseFileName('../../x/<b>.jpg')).toBe('_b_.jpg');
    expect(sanitiseFileName('')).toBe('tep');
    // No extension: cut at the limit.
    expect(sanitiseFileName('b'.repeat(300))).toBe('b'.repeat(MAX_FILE_NAME));
  });
});

describe('sniffMediaType', () => {
  it('recognises PDF, PNG and JPEG by content', () => {
    expect(sniffMediaType(PDF)).toBe('application/pdf');
    expect(sniffMediaType(PNG)).toBe('image/png');
    expect(sniffMediaType(JPEG)).toBe('image/jpeg');
  });
  it('rejects anything else, whatever it is called', () => {
    expect(sniffMediaType(Buffer.from('<html>'))).toBeNull();
    expect(sniffMediaType(Buffer.from('MZ\x90\x00'))).toBeNull();
  });
});

describe('LocalFileStore', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  /** A store in a fresh temporary folder, removed after the tests. */
  const newStore = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-files-'));
    dirs.push(dir);
    const store = new LocalFileStore(dir);
    await store.init();
    return { dir, store };
  };

  it('stores, hashes and reads back; refuses empty, oversized and unknown files', async () => {
    const { store } = await newStore();
    const f = await store.put(PDF, 1024);
    expect(f.mediaType).toBe('application/pdf');
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.read(f.storageKey)).equals(PDF)).toBe(true);
    await expect(store.put(Buffer.alloc(0), 1024)).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    await expect(store.put(Buffer.concat([PDF, Buffer.alloc(2048)]), 1024)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(store.put(Buffer.from('hello'), 1024)).rejects.toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED' });
  });

  it('stores a large file with asynchronous calls and a small one with synchronous ones (asynchronous too on a network file system), all whole and nothing left in tmp', async () => {
    const { dir, store } = await newStore();
    const large = Buffer.concat([PDF, Buffer.alloc(3 * 1024 * 1024, 7)]);
    const renameSync = vi.spyOn(fs, 'renameSync');
    const bigOne = await store.put(large, 10 * 1024 * 1024);
    expect(renameSync).not.toHaveBeenCalled();
    const small = await store.put(Buffer.concat([PDF, Buffer.alloc(1000, 1)]), 1024 * 1024);
    expect(renameSync).toHaveBeenCalledTimes(1);
    expect((await store.read(bigOne.storageKey)).equals(large)).toBe(true);
    expect(bigOne.size).toBe(large.length);
    expect((await store.read(small.storageKey)).length).toBe(PDF.length + 1000);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    // On a network file system (syncSmallWrites: false) no call is synchronous, small files included.
    const networked = new LocalFileStore(dir, { syncSmallWrites: false });
    const openSync = vi.spyOn(fs, 'openSync');
    const viaNetwork = await networked.put(Buffer.concat([PDF, Buffer.alloc(500, 3)]), 1024 * 1024);
    expect(renameSync).toHaveBeenCalledTimes(1);
    expect(openSync).not.toHaveBeenCalled();
    expect((await networked.read(viaNetwork.storageKey)).length).toBe(PDF.length + 500);
    openSync.mockRestore();
    // A write that fails (the temporary name taken) leaves its file descriptor closed and the error to the caller.
    const open = vi.spyOn(fs, 'openSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EEXIST: file already exists'), { code: 'EEXIST' });
    });
    await expect(store.put(Buffer.concat([PDF, Buffer.alloc(10, 2)]), 1024)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(open).toHaveBeenCalled();
  });

  afterEach(() => vi.restoreAllMocks());

  it('flushes the folder after each rename, before answering; renames made during a flush share the next one', async () => {
    const { dir, store } = await newStore();
    // The same content lands in the same fan-out folder.
    const folder = path.join(dir, (await store.put(PDF, 1024)).storageKey.slice(0, 2));
    const events: string[] = [];
    // Small files are renamed and their folder opened with synchronous calls; the flushes are fsync(fd, callback).
    const renameSync = fs.renameSync;
    const openSync = fs.openSync;
    const fsync = fs.fsync;
    const folderFds = new Set<number>();
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      renameSync(from, to);
      events.push(`rename ${path.basename(String(to))}`);
    });
    vi.spyOn(fs, 'openSync').mockImplementation((p, flags, mode) => {
      const fd = openSync(p, flags, mode);
      if (p === folder) {
        events.push('flush start');
        folderFds.add(fd);
      }
      return fd;
    });
    vi.spyOn(fs, 'fsync').mockImplementation((fd, cb) => {
      fsync(fd, (err) => {
        if (folderFds.has(fd)) events.push('flush done');
        cb(err);
      });
    });
    const stored = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const f = await store.put(PDF, 1024);
        events.push(`answer ${path.basename(f.storageKey)}`);
        return f;
      }),
    );
    const flushes = events.filter((e) => e === 'flush start').length;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThan(20);
    for (const f of stored) {
      const id = path.basename(f.storageKey);
      const renamed = events.indexOf(`rename ${id}`);
      const answered = events.indexOf(`answer ${id}`);
      // A flush that started after this rename finished before this answer.
      const started = events.findIndex((e, i) => i > renamed && e === 'flush start');
      const done = events.findIndex((e, i) => i > started && e === 'flush done');
      expect(renamed).toBeGreaterThanOrEqual(0);
      expect(started).toBeGreaterThan(renamed);
      expect(done).toBeGreaterThan(started);
      expect(done).toBeLessThan(answered);
      expect((await store.read(f.storageKey)).equals(PDF)).toBe(true);
    }
  });

  it('removes the parts of uploads cut short by a crash at start, only once they are old (another instance may be writing the young ones)', async () => {
    const { dir, store } = await newStore();
    const kept = await store.put(PDF, 1024);
    const tmp = path.join(dir, 'tmp');
    await writeFile(path.join(tmp, 'old.part'), 'half a file');
    await writeFile(path.join(tmp, 'young.part'), 'being written');
    await writeFile(path.join(tmp, 'note.txt'), 'not ours');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(path.join(tmp, 'old.part'), twoHoursAgo, twoHoursAgo);
    expect(await new LocalFileStore(dir).init()).toBe(1);
    expect((await readdir(tmp)).sort()).toEqual(['note.txt', 'young.part']);
    expect((await store.read(kept.storageKey)).equals(PDF)).toBe(true);
  });
});

/** An error as the pg driver (and PGlite) report one PostgreSQL sent, wrapped by drizzle as its queries' errors are. */
function pgError(code: string, severity = 'ERROR'): Error {
  const e = Object.assign(new pg.DatabaseError('from the server', 0, 'error'), { code, severity });
  return new DrizzleQueryError('commit', [], e);
}

describe('writeFailureOutcome', () => {
  it('calls refused what certainly did not commit: our own refusal, or an ERROR PostgreSQL answered', () => {
    expect(writeFailureOutcome(new AppError('precondition_failed', 'DOSSIER_VERSION_STALE'))).toBe('refused');
    expect(writeFailureOutcome(new AppError('internal', 'PERSONAL_DATA_UNREADABLE', { cause: new Error('bad tag') }))).toBe('refused');
    for (const code of ['23505', '23514', '40001', '40P01', '22012', '42P01', '53100', '57014', 'P0001', '25P02']) {
      expect(writeFailureOutcome(pgError(code)), code).toBe('refused');
    }
    // Unwrapped, as a driver hands it over.
    expect(writeFailureOutcome(Object.assign(new pg.DatabaseError('x', 0, 'error'), { code: '23505', severity: 'ERROR' }))).toBe('refused');
  });

  it('calls unknown a lost connection, a server going down, a system or internal error, and anything else', () => {
    for (const code of ['08006', '08003', '08000', '57P01', '57P02', '57P03', '58030', 'XX000', 'XX001', '40003']) {
      expect(writeFailureOutcome(pgError(code)), code).toBe('unknown');
    }
    // A session ended by the server (FATAL, PANIC): the COMMIT it was answering may have taken effect.
    expect(writeFailureOutcome(pgError('23505', 'FATAL'))).toBe('unknown');
    expect(writeFailureOutcome(pgError('23505', 'PANIC'))).toBe('unknown');
    // Socket errors carry a code too (EPIPE has five letters, like a SQLSTATE) but no severity.
    expect(writeFailureOutcome(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }))).toBe('unknown');
    expect(writeFailureOutcome(new DrizzleQueryError('rollback', [], Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })))).toBe('unknown');
    expect(writeFailureOutcome(new Error('Connection terminated unexpectedly'))).toBe('unknown');
    expect(writeFailureOutcome(Object.assign(new Error('odd'), { code: 'not-a-state', severity: 'ERROR' }))).toBe('unknown');
    expect(writeFailureOutcome('a string')).toBe('unknown');
    expect(writeFailureOutcome(undefined)).toBe('unknown');
  });
});

describe('removeUnlessCommitted', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const setup = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-files-'));
    dirs.push(dir);
    const store = new LocalFileStore(dir);
    await store.init();
    const keys = [(await store.put(PDF, 1024)).storageKey, (await store.put(PNG, 1024)).storageKey];
    return { store, keys, log: { warn: vi.fn() } };
  };
  const present = async (store: LocalFileStore, keys: string[]) => Promise.all(keys.map((k) => store.exists(k)));

  it('removes at once after a certain refusal, without looking the rows up', async () => {
    const { store, keys, log } = await setup();
    const isCommitted = vi.fn(async () => true);
    expect(await removeUnlessCommitted(store, keys, { failure: pgError('23514'), isCommitted, log })).toBe('removed');
    expect(isCommitted).not.toHaveBeenCalled();
    expect(await present(store, keys)).toEqual([false, false]);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('after an unknown outcome, or with no error at all, removes only when the rows are certainly absent', async () => {
    const absent = await setup();
    const lookup = vi.fn(async () => false);
    expect(await removeUnlessCommitted(absent.store, absent.keys, { failure: pgError('08006', 'FATAL'), isCommitted: lookup, log: absent.log })).toBe(
      'removed',
    );
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(await present(absent.store, absent.keys)).toEqual([false, false]);

    // The COMMIT took effect though its answer was lost: the rows point at the files, which stay.
    const committed = await setup();
    expect(
      await removeUnlessCommitted(committed.store, committed.keys, {
        failure: new Error('Connection terminated unexpectedly'),
        isCommitted: async () => true,
        log: committed.log,
      }),
    ).toBe('committed');
    expect(await present(committed.store, committed.keys)).toEqual([true, true]);

    // No failure (a statement that did not write these rows): the lookup decides too.
    const unwritten = await setup();
    expect(await removeUnlessCommitted(unwritten.store, unwritten.keys, { isCommitted: async () => false, log: unwritten.log })).toBe('removed');
    expect(await present(unwritten.store, unwritten.keys)).toEqual([false, false]);
    const written = await setup();
    expect(await removeUnlessCommitted(written.store, written.keys, { isCommitted: async () => true, log: written.log })).toBe('committed');
    expect(await present(written.store, written.keys)).toEqual([true, true]);
    // A refusal is not enough without the error: a retried write passes none.
    expect(await removeUnlessCommitted(written.store, written.keys, { failure: undefined, isCommitted: async () => true, log: written.log })).toBe('committed');
  });

  it('keeps the files and logs them at warn when the lookup fails too', async () => {
    const { store, keys, log } = await setup();
    const lost = new Error('Client has encountered a connection error and is not queryable');
    const outcome = await removeUnlessCommitted(store, keys, {
      failure: new Error('Connection terminated unexpectedly'),
      isCommitted: () => Promise.reject(lost),
      log,
    });
    expect(outcome).toBe('unknown');
    expect(await present(store, keys)).toEqual([true, true]);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![0]).toEqual({ storageKeys: keys, err: lost });
  });

  it('does not throw when a removal fails: it logs the keys left behind', async () => {
    const { store, keys, log } = await setup();
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    vi.spyOn(store, 'remove').mockImplementation(async (key) => {
      if (key === keys[0]) throw denied;
    });
    expect(await removeUnlessCommitted(store, keys, { failure: pgError('23505'), isCommitted: async () => false, log })).toBe('removed');
    expect(log.warn).toHaveBeenCalledWith({ storageKeys: [keys[0]], err: denied }, expect.any(String));
  });
});
