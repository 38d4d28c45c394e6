/**
 * The province's document-sealing keys (docs/DOCUMENTS.md): Ed25519 through node:crypto.
 *
 * DOCUMENT_SIGNING_KEYS is a JSON list; each entry is either
 *   { "kid": "ninhbinh-2026", "privateKeyPem": "-----BEGIN PRIVATE KEY-----..." }   (PKCS#8 PEM)
 *   { "kid": "ninhbinh-2025", "publicKeyPem": "-----BEGIN PUBLIC KEY-----..." }     (SPKI PEM)
 *   { "kty": "OKP", "crv": "Ed25519", "kid": "...", "x": "...", "d": "..." }        (JWK; without "d" = verify only)
 * The first entry must hold a private key: it seals new documents. The others only verify
 * documents sealed before a rotation. Outside production, when the variable is unset, one key
 * is generated on first start and kept in DATA_DIR/document-signing-key.json.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../../config.ts';

export interface SigningKey {
  kid: string;
  publicKey: KeyObject;
  privateKey: KeyObject | null;
}

export interface KeyRing {
  /** The key that seals new documents. */
  current: SigningKey & { privateKey: KeyObject };
  /** Every key that verifies, the current one first. */
  keys: SigningKey[];
}

export class SigningKeyError extends Error {}

const KeyEntry = z.union([
  z.object({ kid: z.string().min(1).max(100), privateKeyPem: z.string().min(20) }).strict(),
  z.object({ kid: z.string().min(1).max(100), publicKeyPem: z.string().min(20) }).strict(),
  z
    .object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), kid: z.string().min(1).max(100), x: z.string().min(20), d: z.string().min(20).optional() })
    .passthrough(),
]);

function ed25519(k: KeyObject, kid: string): KeyObject {
  if (k.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`key ${kid} is ${k.asymmetricKeyType ?? 'not asymmetric'}, expected Ed25519`);
  return k;
}

/** Parses DOCUMENT_SIGNING_KEYS (see the module comment). Throws SigningKeyError with the reason. */
export function parseKeyRing(text: string): KeyRing {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new SigningKeyError('DOCUMENT_SIGNING_KEYS is not JSON');
  }
  const parsed = z
    .array(KeyEntry)
    .min(1)
    .safeParse(Array.isArray(list) ? list : [list]);
  if (!parsed.success) throw new SigningKeyError(`DOCUMENT_SIGNING_KEYS: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const keys: SigningKey[] = parsed.data.map((e) => {
    try {
      const { privateKeyPem, publicKeyPem, x, d } = e as { privateKeyPem?: string; publicKeyPem?: string; x?: string; d?: string };
      if (privateKeyPem) {
        const priv = ed25519(createPrivateKey(privateKeyPem), e.kid);
        return { kid: e.kid, privateKey: priv, publicKey: createPublicKey(priv) };
      }
      if (publicKeyPem) return { kid: e.kid, privateKey: null, publicKey: ed25519(createPublicKey(publicKeyPem), e.kid) };
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: x ?? '', ...(d ? { d } : {}) };
      const priv = d ? ed25519(createPrivateKey({ key: jwk, format: 'jwk' }), e.kid) : null;
      return { kid: e.kid, privateKey: priv, publicKey: priv ? createPublicKey(priv) : ed25519(createPublicKey({ key: jwk, format: 'jwk' }), e.kid) };
    } catch (err) {
      if (err instanceof SigningKeyError) throw err;
      throw new SigningKeyError(`key ${e.kid}: ${(err as Error).message}`);
    }
  });
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new SigningKeyError('DOCUMENT_SIGNING_KEYS: key ids must be unique');
  const current = keys[0]!;
  if (!current.privateKey) throw new SigningKeyError('DOCUMENT_SIGNING_KEYS: the first key must be a private key (it seals new documents)');
  return { current: current as KeyRing['current'], keys };
}

/** A new Ed25519 key as a DOCUMENT_SIGNING_KEYS entry (JWK with its private part). */
export function generateKeyEntry(kid?: string): { kty: 'OKP'; crv: 'Ed25519'; kid: string; x: string; d: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  const id = kid ?? `local-${createHash('sha256').update(jwk.x).digest('hex').slice(0, 12)}`;
  return { kty: 'OKP', crv: 'Ed25519', kid: id, x: jwk.x, d: jwk.d };
}

/** The public half of an entry, for a later rotation (the old key keeps verifying). */
export function publicJwk(k: SigningKey): { kty: 'OKP'; crv: 'Ed25519'; kid: string; x: string; use: 'sig'; alg: 'EdDSA' } {
  const jwk = k.publicKey.export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', kid: k.kid, x: jwk.x, use: 'sig', alg: 'EdDSA' };
}

export const KEY_FILE = 'document-signing-key.json';

const rings = new Map<string, Promise<KeyRing>>();

/**
 * The key ring of this configuration, loaded once per process. Production requires
 * DOCUMENT_SIGNING_KEYS (config.ts refuses to start without it); elsewhere an unset variable
 * means a key generated once and kept in DATA_DIR.
 */
export function keyRingFor(config: Pick<Config, 'env' | 'dataDir' | 'documentSigningKeys'>): Promise<KeyRing> {
  const cacheKey = `${config.documentSigningKeys ?? ''}\u0000${config.dataDir}`;
  let ring = rings.get(cacheKey);
  if (!ring) {
    ring = loadKeyRing(config);
    rings.set(cacheKey, ring);
    ring.catch(() => rings.delete(cacheKey));
  }
  return ring;
}

async function loadKeyRing(config: Pick<Config, 'env' | 'dataDir' | 'documentSigningKeys'>): Promise<KeyRing> {
  if (config.documentSigningKeys) return parseKeyRing(config.documentSigningKeys);
  if (config.env === 'production') throw new SigningKeyError('DOCUMENT_SIGNING_KEYS is required in production');
  const file = path.join(config.dataDir, KEY_FILE);
  try {
    return parseKeyRing(await fs.readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(config.dataDir, { recursive: true });
  const text = JSON.stringify([generateKeyEntry()], null, 2);
  try {
    // 'wx': if another process made the key meanwhile, keep theirs.
    await fs.writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKeyRing(await fs.readFile(file, 'utf8'));
}

/** What a seal signs: the document's hash bound to its identity, dossier, issuer and time. */
export interface SealSubject {
  documentId: string;
  sha256: string;
  dossierCode: string;
  issuerAgencyCode: string;
  /** ISO 8601 UTC with milliseconds (Date.toISOString). */
  issuedAt: string;
}

/** The canonical signed message (UTF-8 bytes of these lines). */
export function sealMessage(s: SealSubject): Buffer {
  return Buffer.from(['tinhso-seal-v1', s.documentId, s.sha256, s.dossierCode, s.issuerAgencyCode, s.issuedAt].join('\n'), 'utf8');
}

/** Signs with the ring's current key: `{ keyId, signature }` (signature base64url). */
export function sealWith(ring: KeyRing, s: SealSubject): { keyId: string; signature: string } {
  return { keyId: ring.current.kid, signature: sign(null, sealMessage(s), ring.current.privateKey).toString('base64url') };
}

/** Whether the signature is valid for this subject under the key with this id (false for an unknown key). */
export function verifySeal(ring: KeyRing, s: SealSubject, keyId: string, signature: string): boolean {
  const key = ring.keys.find((k) => k.kid === keyId);
  if (!key) return false;
  try {
    return verify(null, sealMessage(s), key.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
