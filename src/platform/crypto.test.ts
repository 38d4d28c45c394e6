import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_FILE, Keyring, KeyringError, keyringFor } from './crypto.ts';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');

describe('Keyring (AES-256-GCM with key ids)', () => {
  it('round-trips text, with a fresh IV each time and the key id in the prefix', () => {
    const ring = Keyring.parse(`k1:${K1}`);
    const a = ring.encrypt('036090001234');
    const b = ring.encrypt('036090001234');
    expect(a).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(ring.decrypt(a)).toBe('036090001234');
    expect(ring.decrypt(ring.encrypt('Nguyễn Văn An'))).toBe('Nguyễn Văn An');
    // 12-byte IV + 12 bytes of text + 16-byte tag = 40 bytes = 54 base64url characters.
    expect(a.length).toBe('enc:v1:k1:'.length + 54);
  });

  it('refuses tampering, a wrong associated-data string and unknown keys', () => {
    const ring = Keyring.parse(`k1:${K1}`);
    const sealed = ring.encrypt('secret', 'user_totp:u1');
    expect(ring.decrypt(sealed, 'user_totp:u1')).toBe('secret');
    expect(() => ring.decrypt(sealed, 'user_totp:u2')).toThrow(KeyringError);
    expect(() => ring.decrypt(sealed)).toThrow(KeyringError);
    const body = sealed.slice('enc:v1:k1:'.length);
    const flipped = `enc:v1:k1:${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    expect(() => ring.decrypt(flipped, 'user_totp:u1')).toThrow(KeyringError);
    expect(() => Keyring.parse(`k9:${K2}`).decrypt(sealed, 'user_totp:u1')).toThrow(/unknown key/);
    expect(() => ring.decrypt('plain text')).toThrow(KeyringError);
  });

  it('rotates: the first key encrypts, every key decrypts, lookup hashes stay the same', () => {
    const old = Keyring.parse(`k1:${K1}`);
    const rotated = Keyring.parse(`k2:${K2},k1:${K1}`);
    const sealedOld = old.encrypt('x');
    expect(rotated.decrypt(sealedOld)).toBe('x');
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    expect(rotated.encrypt('x').startsWith('enc:v1:k2:')).toBe(true);
    expect(rotated.lookupHash('id_number', '036090001234')).toBe(old.lookupHash('id_number', '036090001234'));
  });

  it('keyed lookup hash: stable, separated by purpose, different per key', () => {
    const ring = Keyring.parse(`k1:${K1}`);
    const h = ring.lookupHash('id_number', '036090001234');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(ring.lookupHash('id_number', '036090001234')).toBe(h);
    expect(ring.lookupHash('phone', '036090001234')).not.toBe(h);
    expect(Keyring.parse(`k1:${K2}`).lookupHash('id_number', '036090001234')).not.toBe(h);
    expect(ring.matchesLookupHash('id_number', '036090001234', h)).toBe(true);
    expect(ring.matchesLookupHash('id_number', '036090001235', h)).toBe(false);
  });

  it('rejects malformed key lists', () => {
    expect(() => Keyring.parse('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => Keyring.parse(`k1:${K1},k1:${K2}`)).toThrow(/twice/);
    expect(() => Keyring.parse('')).toThrow(KeyringError);
    expect(Keyring.parse(K1).keyId).toBe('k1');
  });
});

describe('keyringFor (configuration)', () => {
  it('production refuses to run without DATA_ENCRYPTION_KEY', () => {
    expect(() => keyringFor({ env: 'production', dataDir: '/nonexistent' })).toThrow(/required in production/);
    expect(keyringFor({ env: 'production', dataDir: '/nonexistent', dataEncryptionKey: `k1:${K1}` }).keyId).toBe('k1');
  });

  it('outside production generates a key file once (mode 0600) and reads it back', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-crypto-'));
    try {
      const ring = keyringFor({ env: 'development', dataDir: dir });
      const file = path.join(dir, KEY_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, 'utf8')).trim()).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
      const sealed = ring.encrypt('hello');
      // A new process (no cache) reads the same key back.
      const again = Keyring.parse((await readFile(file, 'utf8')).trim());
      expect(again.decrypt(sealed)).toBe('hello');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
