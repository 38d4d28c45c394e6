import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyEntry, KEY_FILE, keyRingFor, parseKeyRing, publicJwk, sealMessage, sealWith, SigningKeyError, verifySeal } from './signing.ts';

const subject = {
  documentId: '018f0000-0000-7000-8000-000000000001',
  sha256: 'a'.repeat(64),
  dossierCode: 'X-261126-0001',
  issuerAgencyCode: 'UBND-13669',
  issuedAt: '2026-11-26T03:00:00.000Z',
};

describe('sealMessage', () => {
  it('is the documented canonical lines', () => {
    expect(sealMessage(subject).toString('utf8')).toBe(
      `tinhso-seal-v1\n${subject.documentId}\n${'a'.repeat(64)}\nX-261126-0001\nUBND-13669\n2026-11-26T03:00:00.000Z`,
    );
  });
});

describe('seal and verify', () => {
  const ring = parseKeyRing(JSON.stringify([generateKeyEntry('k1')]));

  it('verifies an untouched subject and rejects any changed field', () => {
    const { keyId, signature } = sealWith(ring, subject);
    expect(keyId).toBe('k1');
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
    expect(verifySeal(ring, subject, keyId, signature)).toBe(true);
    expect(verifySeal(ring, { ...subject, sha256: 'b' + 'a'.repeat(63) }, keyId, signature)).toBe(false);
    expect(verifySeal(ring, { ...subject, dossierCode: 'X-261126-0002' }, keyId, signature)).toBe(false);
    expect(verifySeal(ring, { ...subject, issuedAt: '2026-11-26T03:00:00.001Z' }, keyId, signature)).toBe(false);
    expect(verifySeal(ring, subject, 'unknown', signature)).toBe(false);
    expect(verifySeal(ring, subject, keyId, 'not-a-signature')).toBe(false);
  });

  it('keeps old seals valid after a rotation that keeps the old public key', () => {
    const old = parseKeyRing(JSON.stringify([generateKeyEntry('2025')]));
    const seal = sealWith(old, subject);
    const rotated = parseKeyRing(JSON.stringify([generateKeyEntry('2026'), publicJwk(old.current)]));
    expect(rotated.current.kid).toBe('2026');
    expect(verifySeal(rotated, subject, seal.keyId, seal.signature)).toBe(true);
    expect(sealWith(rotated, subject).keyId).toBe('2026');
    const forgotten = parseKeyRing(JSON.stringify([generateKeyEntry('2026')]));
    expect(verifySeal(forgotten, subject, seal.keyId, seal.signature)).toBe(false);
  });

  it('accepts PEM keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ring2 = parseKeyRing(
      JSON.stringify([
        { kid: 'pem', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) },
        { kid: 'pub', publicKeyPem: generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }) },
      ]),
    );
    const seal = sealWith(ring2, subject);
    expect(
      verifySeal(
        parseKeyRing(JSON.stringify([generateKeyEntry('x'), { kid: 'pem', publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) }])),
        subject,
        seal.keyId,
        seal.signature,
      ),
    ).toBe(true);
  });

  it('refuses bad key lists with a reason', () => {
    expect(() => parseKeyRing('nope')).toThrow(SigningKeyError);
    expect(() => parseKeyRing('[]')).toThrow(SigningKeyError);
    const pub = publicJwk(ring.current);
    expect(() => parseKeyRing(JSON.stringify([pub]))).toThrow(/first key must be a private key/);
    expect(() => parseKeyRing(JSON.stringify([generateKeyEntry('a'), generateKeyEntry('a')]))).toThrow(/unique/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    expect(() => parseKeyRing(JSON.stringify([{ kid: 'ec', privateKeyPem: ec }]))).toThrow(/expected Ed25519/);
  });
});

describe('keyRingFor', () => {
  it('generates one key in DATA_DIR outside production and keeps it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-keys-'));
    try {
      const a = await keyRingFor({ env: 'development', dataDir: dir, documentSigningKeys: undefined });
      const stored = JSON.parse(await readFile(path.join(dir, KEY_FILE), 'utf8'));
      expect(stored[0].kid).toBe(a.current.kid);
      // A new process (another cache key is impossible here, so parse the file) gets the same key.
      expect(parseKeyRing(JSON.stringify(stored)).current.kid).toBe(a.current.kid);
      expect(publicJwk(parseKeyRing(JSON.stringify(stored)).current).x).toBe(publicJwk(a.current).x);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('never generates a key in production', async () => {
    await expect(keyRingFor({ env: 'production', dataDir: '/nonexistent', documentSigningKeys: undefined })).rejects.toThrow(/required in production/);
  });
});
