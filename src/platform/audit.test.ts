import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRecord, chainHash, checkLinks, GENESIS_HASH, type ChainRecord } from './audit.ts';

const base = (seq: number): Omit<ChainRecord, 'hash'> => ({
  id: 100 + seq,
  seq,
  at: '2026-11-26T02:30:00.123456Z',
  actor_id: null,
  actor_role: 'reception',
  action: 'dossier.receive',
  target_type: 'dossier',
  target_id: `d-${seq}`,
  ip: '10.0.0.1',
  outcome: 'success',
  details: '{"to": "received", "from": "submitted"}',
});

function chain(n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const r = base(i);
    prev = chainHash(prev, r);
    out.push({ ...r, hash: prev });
  }
  return out;
}

describe('canonical JSON of an audit record', () => {
  it('is the fixed-order array with details embedded as stored', () => {
    expect(canonicalRecord(base(1))).toBe(
      '[1,101,"2026-11-26T02:30:00.123456Z",null,"reception","dossier.receive","dossier","d-1","10.0.0.1","success",{"to": "received", "from": "submitted"}]',
    );
  });
  it('escapes strings like PostgreSQL to_json: quotes, backslash, control characters; keeps Vietnamese and emoji', () => {
    const c = canonicalRecord({ ...base(1), target_id: 'a"b\\c\nd\te\u0001f Nguyễn 😀' });
    expect(c).toContain('"a\\"b\\\\c\\nd\\te\\u0001f Nguyễn 😀"');
    expect(JSON.parse(c)[7]).toBe('a"b\\c\nd\te\u0001f Nguyễn 😀');
  });
  it('hash = sha256(prev hash || canonical), hex', () => {
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalRecord(base(1)))
      .digest('hex');
    expect(chainHash(GENESIS_HASH, base(1))).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('checkLinks', () => {
  it('accepts an intact chain, from the start or from a record in the middle', () => {
    const c = chain(5);
    expect(checkLinks(c, 0, GENESIS_HASH)).toBeNull();
    expect(checkLinks(c.slice(2), 2, c[1]!.hash)).toBeNull();
  });
  it('finds an edited field, an edited hash, a removed and a reordered record', () => {
    const c = chain(6);
    expect(
      checkLinks(
        c.map((r, i) => (i === 3 ? { ...r, outcome: 'failure' } : r)),
        0,
        GENESIS_HASH,
      ),
    ).toMatchObject({ broken: { id: 104 }, reason: 'hash_mismatch', index: 3 });
    expect(
      checkLinks(
        c.map((r, i) => (i === 2 ? { ...r, details: '{"to": "done"}' } : r)),
        0,
        GENESIS_HASH,
      ),
    ).toMatchObject({ broken: { id: 103 }, reason: 'hash_mismatch' });
    // A recomputed hash for an edited record still breaks the next one.
    const edited = { ...c[1]!, target_id: 'other' };
    const forged = { ...edited, hash: chainHash(c[0]!.hash, edited) };
    expect(checkLinks([c[0]!, forged, ...c.slice(2)], 0, GENESIS_HASH)).toMatchObject({ broken: { id: 103 }, reason: 'hash_mismatch' });
    expect(checkLinks([...c.slice(0, 2), ...c.slice(3)], 0, GENESIS_HASH)).toMatchObject({ broken: { id: 104 }, reason: 'sequence_gap' });
    expect(checkLinks([c[0]!, c[2]!, c[1]!], 0, GENESIS_HASH)).toMatchObject({ broken: { id: 103 }, reason: 'sequence_gap' });
    expect(checkLinks(c, 0, 'f'.repeat(64))).toMatchObject({ broken: { id: 101 }, reason: 'hash_mismatch' });
  });
});
