import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomPoolBytes } from './ids.ts';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Data encryption at rest: AES-256-GCM (authenticated) with named keys, and a keyed hash
 * (HMAC-SHA-256) for exact lookups of encrypted values.
 *
 * Keys come from DATA_ENCRYPTION_KEY as a comma-separated list `id:base64` of 32-byte keys,
 * e.g. `k2:…,k1:…`. The first key encrypts new values; every listed key decrypts (so keys can
 * be rotated: add a new one first, re-encrypt, then drop the old). Ciphertexts carry the id of
 * their key: `enc:v1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>`.
 *
 * The lookup key is derived (HKDF) from the *last* listed key, so adding keys for rotation does
 * not change lookup hashes; keep that key listed while any lookup hash made with it exists.
 *
 * An optional associated-data string binds a ciphertext to its place (e.g. `user_totp:<userId>`),
 * so a value copied into another row does not decrypt.
 */
export const KEY_FILE = 'encryption.key';
const PREFIX = 'enc:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;

export class KeyringError extends Error {}

export class Keyring {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;
  private readonly lookupKey: Buffer;

  constructor(keys: { id: string; key: Buffer }[]) {
    if (!keys.length) throw new KeyringError('no encryption key');
    this.keys = new Map();
    for (const k of keys) {
      if (!KEY_ID.test(k.id)) throw new KeyringError(`key id "${k.id}" must be 1–16 letters, digits, _ or -`);
      if (k.key.length !== 32) throw new KeyringError(`key ${k.id} must be 32 bytes (base64 of 32 random bytes)`);
      if (this.keys.has(k.id)) throw new KeyringError(`key id ${k.id} listed twice`);
      this.keys.set(k.id, k.key);
    }
    this.currentId = keys[0]!.id;
    this.lookupKey = Buffer.from(hkdfSync('sha256', keys[keys.length - 1]!.key, Buffer.alloc(0), 'tinhso lookup hash v1', 32));
  }

  /** Parses `id:base64,id:base64` (a bare base64 key is id `k1`). */
  static parse(spec: string): Keyring {
    const keys = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((part) => {
        const i = part.indexOf(':');
        const [id, b64] = i < 0 ? ['k1', part] : [part.slice(0, i), part.slice(i + 1)];
        return { id, key: Buffer.from(b64, 'base64') };
      });
    return new Keyring(keys);
  }

  /** A new random key in the `id:base64` form DATA_ENCRYPTION_KEY takes. */
  static generateSpec(id = 'k1'): string {
    return `${id}:${randomBytes(32).toString('base64')}`;
  }

  get keyId(): string {
    return this.currentId;
  }

  encrypt(plain: string, aad?: string): string {
    // A random 96-bit nonce per message, from the CSPRNG drawn 4 KiB at a time (platform/ids.ts).
    const iv = randomPoolBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.currentId}:${Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Decrypts; throws KeyringError for an unknown key, a wrong associated-data string or any tampering. */
  decrypt(sealed: string, aad?: string): string {
    if (!sealed.startsWith(PREFIX)) throw new KeyringError('not an encrypted value');
    const rest = sealed.slice(PREFIX.length);
    const i = rest.indexOf(':');
    const key = i > 0 ? this.keys.get(rest.slice(0, i)) : undefined;
    if (!key) throw new KeyringError('encrypted with an unknown key');
    const buf = Buffer.from(rest.slice(i + 1), 'base64url');
    if (buf.length < 12 + 16) throw new KeyringError('encrypted value too short');
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
    decipher.setAuthTag(buf.subarray(buf.length - 16));
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    try {
      return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyringError('encrypted value failed authentication');
    }
  }

  /** Whether a value is in the encrypted form (and so needs decrypt). */
  static isEncrypted(v: string): boolean {
    return v.startsWith(PREFIX);
  }

  /** Whether a value was encrypted with an older key and should be re-encrypted. */
  needsRotation(sealed: string): boolean {
    return !sealed.startsWith(`${PREFIX}${this.currentId}:`);
  }

  /**
   * A keyed hash for exact lookup of a secret or personal value (hex). `purpose` separates
   * uses, so the hash of an ID number cannot be matched against the hash of a phone number.
   */
  lookupHash(purpose: string, value: string): string {
    return createHmac('sha256', this.lookupKey).update(purpose).update('\0').update(value).digest('hex');
  }

  /** Constant-time comparison of a value with a stored lookup hash. */
  matchesLookupHash(purpose: string, value: string, stored: string): boolean {
    const a = Buffer.from(this.lookupHash(purpose, value), 'hex');
    const b = Buffer.from(stored, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

const rings = new Map<string, Keyring>();

/**
 * The keyring of a configuration: DATA_ENCRYPTION_KEY when set; otherwise (development, tests,
 * the embedded demo) a key generated once into DATA_DIR/encryption.key and read back at every
 * start. Production never falls back to a file: it refuses to start without the variable.
 */
export function keyringFor(config: { env: string; dataDir: string; dataEncryptionKey?: string | undefined }): Keyring {
  const cacheKey = config.dataEncryptionKey ? `env:${config.dataEncryptionKey}` : `dir:${config.dataDir}`;
  const hit = rings.get(cacheKey);
  if (hit) return hit;
  let spec = config.dataEncryptionKey;
  if (!spec) {
    if (config.env === 'production') throw new KeyringError('DATA_ENCRYPTION_KEY is required in production');
    const file = path.join(config.dataDir, KEY_FILE);
    if (!existsSync(file)) {
      mkdirSync(config.dataDir, { recursive: true });
      try {
        writeFileSync(file, `${Keyring.generateSpec()}\n`, { mode: 0o600, flag: 'wx' });
        chmodSync(file, 0o600);
      } catch (err) {
        // Another process wrote it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    spec = readFileSync(file, 'utf8').trim();
  }
  const ring = Keyring.parse(spec);
  rings.set(cacheKey, ring);
  return ring;
}
