import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';
import { cleanText } from './text.ts';

export type MediaType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** The longest stored file name, in characters (code points). */
export const MAX_FILE_NAME = 200;

/**
 * The name an uploaded file is stored and downloaded under: without its folder, invisible
 * characters (a bidi override makes `abc\u202Efdp.exe` show as `abcexe.pdf`) and the characters
 * Windows refuses; a long name is shortened in its stem, so it keeps its extension.
 */
export function sanitiseFileName(name: string): string {
  const base = cleanText(name.replace(/^.*[\\/]/, '')).replace(/[<>:"|?*]/g, '_') || 'tep';
  const chars = Array.from(base);
  if (chars.length <= MAX_FILE_NAME) return base;
  const ext = /\.[\p{L}\p{N}]{1,10}$/u.exec(base)?.[0] ?? '';
  const extLength = Array.from(ext).length;
  const stem = chars
    .slice(0, chars.length - extLength)
    .slice(0, MAX_FILE_NAME - extLength)
    .join('');
  return `${stem.trimEnd()}${ext}`;
}

/** Detects the type from the content's magic bytes, never from the file name. */
export function sniffMediaType(head: Uint8Array): MediaType | null {
  const startsWith = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (startsWith([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  return null;
}

/**
 * Checks an upload before anything is stored: not empty, within the size limit, and a PDF, JPEG
 * or PNG by its content. Returns its media type. Errors: FILE_EMPTY, FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED.
 */
export function checkUpload(data: Buffer, maxBytes: number): MediaType {
  if (data.length === 0) throw new AppError('invalid', 'FILE_EMPTY', { userMessage: 'Tệp rỗng.' });
  if (data.length > maxBytes) {
    throw new AppError('too_large', 'FILE_TOO_LARGE', {
      userMessage: `Tệp vượt quá giới hạn ${Math.round(maxBytes / 1024 / 1024)} MB.`,
      details: { maxBytes },
    });
  }
  const mediaType = sniffMediaType(data.subarray(0, 16));
  if (!mediaType) {
    throw new AppError('unsupported_media_type', 'FILE_TYPE_NOT_ALLOWED', {
      userMessage: 'Chỉ chấp nhận tệp PDF, JPEG hoặc PNG.',
    });
  }
  return mediaType;
}

export interface StoredFile {
  storageKey: string;
  sha256: string;
  size: number;
  mediaType: MediaType;
}

/**
 * Attachment storage on local disk. A file is written to a temporary name, flushed to disk
 * (fsync), renamed into place and its folder flushed too (the new name is then on disk, not only
 * its data) before its database row is committed, so a row never points at a missing or partial
 * file, even after a power cut. Keys are generated here, never taken from users, so paths cannot
 * escape the root.
 */
export class LocalFileStore {
  /** The 256 fan-out folders already made by this process (a mkdir per upload is a syscall wasted). */
  private readonly made = new Set<string>();
  /** Per folder: the flush under way, and the one queued behind it that later renames share. */
  private readonly folderFlushes = new Map<string, { inFlight: Promise<void> | null; next: Promise<void> | null }>();

  /**
   * `syncSmallWrites` (default true): files up to SMALL_FILE_BYTES are opened, written, closed and
   * renamed with synchronous calls, microseconds on a local disk. On a network file system, where
   * any call may wait for the network, pass false (FILES_SYNC_SMALL_WRITES=off) so that no call
   * holds the event loop.
   */
  constructor(
    readonly root: string,
    private readonly opts: { syncSmallWrites?: boolean } = {},
  ) {}

  private small(data: Buffer): boolean {
    return this.opts.syncSmallWrites !== false && data.length <= SMALL_FILE_BYTES;
  }

  /**
   * Makes the folders, and removes what uploads cut short by a crash left in `tmp` (no row ever
   * points there). Only parts older than `staleMs`: another instance sharing the disk may be
   * writing the younger ones. Returns how many were removed.
   */
  async init(opts: { staleMs?: number; now?: number } = {}): Promise<number> {
    const tmp = path.join(this.root, 'tmp');
    await fs.mkdir(tmp, { recursive: true });
    const oldest = (opts.now ?? Date.now()) - (opts.staleMs ?? 3_600_000);
    let removed = 0;
    for (const name of await fs.readdir(tmp)) {
      if (!name.endsWith('.part')) continue;
      const file = path.join(tmp, name);
      const st = await fs.stat(file).catch(() => null);
      if (st && st.mtimeMs < oldest) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36,64}$/.test(key)) throw new AppError('internal', 'FILE_KEY_INVALID');
    return path.join(this.root, key);
  }

  /** Stores a whole buffer after checking its type and size (`checkUpload`). */
  async put(data: Buffer, maxBytes: number): Promise<StoredFile> {
    const mediaType = checkUpload(data, maxBytes);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const id = newId();
    const key = `${sha256.slice(0, 2)}/${id}`;
    const finalPath = this.pathOf(key);
    const tmp = path.join(this.root, 'tmp', `${id}.part`);
    const folder = path.dirname(finalPath);
    if (!this.made.has(folder)) {
      if ((await fs.mkdir(folder, { recursive: true })) !== undefined) await this.flushFolder(this.root);
      this.made.add(folder);
    }
    const small = this.small(data);
    await writeSynced(tmp, data, 'wx', { syncCalls: small });
    if (small) fsSync.renameSync(tmp, finalPath);
    else await fs.rename(tmp, finalPath);
    await this.flushFolder(folder, small);
    return { storageKey: key, sha256, size: data.length, mediaType };
  }

  /**
   * Flushes a folder's entries to disk (fsync on the folder), so that a rename into it survives a
   * power cut. Renames into the same folder while a flush is under way share the next flush: one
   * that starts after them, as each needs.
   */
  private flushFolder(folder: string, syncCalls = false): Promise<void> {
    let f = this.folderFlushes.get(folder);
    if (!f) this.folderFlushes.set(folder, (f = { inFlight: null, next: null }));
    const state = f;
    if (!state.inFlight) {
      state.inFlight = fsyncFolder(folder, { syncCalls }).finally(() => {
        state.inFlight = null;
      });
      return state.inFlight;
    }
    state.next ??= state.inFlight
      .catch(() => undefined)
      .then(() => {
        state.next = null;
        return this.flushFolder(folder, syncCalls);
      });
    return state.next;
  }

  async read(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  /** Deletes a stored file (after its last row is gone); a file already gone is not an error. */
  async remove(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return fs.access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }
}

/**
 * Whether a failed write certainly left nothing committed (`refused`), or may have committed
 * (`unknown`). Refused: an AppError (thrown by our own code, so the transaction was rolled back,
 * never committed), or an error PostgreSQL answered with a SQLSTATE at severity ERROR (it aborted
 * the transaction, or refused its COMMIT). Unknown: everything else, chiefly a connection lost
 * around the COMMIT (no SQLSTATE, or class 08), a server shutting down or crashing (57P, FATAL or
 * PANIC), a system or internal error (58, XX) and 40003 statement_completion_unknown. A severity
 * translated by the server's lc_messages is not ERROR either: unknown, so a lookup, never a loss.
 */
export function writeFailureOutcome(err: unknown): 'refused' | 'unknown' {
  if (err instanceof AppError) return 'refused';
  // drizzle wraps the driver's error (DrizzleQueryError, `cause`); pg's and PGlite's carry `code` and `severity`.
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code !== 'string' || typeof severity !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) continue;
    return severity === 'ERROR' && !OUTCOME_UNKNOWN_SQLSTATE.test(code) ? 'refused' : 'unknown';
  }
  return 'unknown';
}
const OUTCOME_UNKNOWN_SQLSTATE = /^(?:08|57P|58|XX|40003)/;

/**
 * After a write that stored files before its rows failed, or did not write its rows: removes the
 * files only when the rows certainly did not commit, since a committed row pointing at a missing
 * file loses a citizen's document while an orphan file only costs disk space.
 * - `failure` (the error of one transaction or statement) that `writeFailureOutcome` calls
 *   `refused`: removed at once.
 * - Otherwise (no `failure`, or an unknown outcome) `isCommitted` looks the rows up by their ids:
 *   absent → `removed`; present → `committed` (files kept: the write did happen); the lookup
 *   failing too → `unknown` (files kept and logged at warn, to be checked by hand).
 * Writes retried after a failure (GroupRunner retries a failed group item by item) pass no
 * `failure`: the last attempt's error says nothing about an earlier attempt that may have committed.
 * Pass only keys this write's own `put` returned: each `put` makes a new key (never
 * content-addressed), so no other row can use it before these rows commit. Never throws: a failed
 * removal is logged, and the caller goes on to report its own outcome.
 */
export async function removeUnlessCommitted(
  files: LocalFileStore,
  keys: readonly string[],
  opts: { failure?: unknown; isCommitted: () => Promise<boolean>; log: Pick<FastifyBaseLogger, 'warn'> },
): Promise<'removed' | 'committed' | 'unknown'> {
  if (opts.failure === undefined || writeFailureOutcome(opts.failure) === 'unknown') {
    let committed: boolean;
    try {
      committed = await opts.isCommitted();
    } catch (lookupErr) {
      opts.log.warn({ storageKeys: keys, err: lookupErr }, 'write outcome unknown and its rows could not be looked up: stored files kept');
      return 'unknown';
    }
    if (committed) return 'committed';
  }
  const results = await Promise.allSettled(keys.map((k) => files.remove(k)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ key: keys[i], err: r.reason as unknown }] : []));
  if (failed.length) opts.log.warn({ storageKeys: failed.map((f) => f.key), err: failed[0]!.err }, 'stored files of an uncommitted write could not be removed');
  return 'removed';
}

/**
 * Up to this size a file is opened, written, closed and renamed with synchronous calls: into the
 * page cache they take microseconds, less than handing each to the thread pool and back (profiles
 * of uploads under load: those hand-offs were ~15 % of the main thread). Only the flush to disk
 * (fsync, ~0.6 ms here, far more on a busy disk) stays asynchronous. Larger files keep the
 * asynchronous calls throughout, so a 10 MB upload never holds the event loop.
 */
const SMALL_FILE_BYTES = 256 * 1024;
const fsyncFd = (fd: number) => new Promise<void>((resolve, reject) => fsSync.fsync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * Writes a whole file and flushes it to disk (fsync) before resolving. `syncCalls` (default: for
 * files up to SMALL_FILE_BYTES): open, write and close synchronously, only the flush asynchronous.
 */
export async function writeSynced(file: string, data: Buffer | string, flag: 'w' | 'wx', opts: { syncCalls?: boolean } = {}): Promise<void> {
  if (opts.syncCalls ?? Buffer.byteLength(data) <= SMALL_FILE_BYTES) {
    const fd = fsSync.openSync(file, flag);
    try {
      fsSync.writeFileSync(fd, data);
      await fsyncFd(fd);
    } finally {
      fsSync.closeSync(fd);
    }
    return;
  }
  const fh = await fs.open(file, flag);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flushes a folder's entries (new names, renames) to disk: fsync on the folder itself (opened and closed synchronously with `syncCalls`). */
export async function fsyncFolder(folder: string, opts: { syncCalls?: boolean } = { syncCalls: true }): Promise<void> {
  if (!opts.syncCalls) {
    const fh = await fs.open(folder, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return;
  }
  const fd = fsSync.openSync(folder, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Sends a stored attachment to be shown in the browser: its sniffed type, an ASCII file name with
 * the UTF-8 one beside it (RFC 6266), never sniffed again by the browser, never cached.
 */
export function sendInlineFile(reply: FastifyReply, file: { fileName: string; mediaType: string }, data: Buffer): FastifyReply {
  const ascii =
    file.fileName
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_') || 'file';
  return reply
    .type(file.mediaType)
    .header('content-disposition', `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(data);
}
