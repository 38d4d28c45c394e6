import fs from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LocalFileStore, sniffMediaType } from './files.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);

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
