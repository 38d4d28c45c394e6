import { describe, expect, it } from 'vitest';
import { demoProcedures, type DurationUnit, type FormFieldType } from './catalogue.ts';
import { citizenAddress, DEMO_BANK_ADDRESS, deskWaitHours, demoReference, rng, staffAddress } from './generate-dossiers.ts';
import { REFERENCE_RE } from '../../modules/payments/payment-requests.ts';
import { demoAgencies, demoCommunes, demoFields, demoPreviousUnits, demoProvince, demoSuccessions, PROVINCIAL_CENTRE_CODE } from './reference.ts';

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/** Every string reachable from a value, with its path, for the NFC check. */
function strings(value: unknown, path = '$'): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [[`${path}.${k}#key`, k] as [string, string], ...strings(v, `${path}.${k}`)]);
  }
  return [];
}

const agencyByCode = new Map(demoAgencies.map((a) => [a.code, a]));
const fieldCodes = new Set(demoFields.map((f) => f.code));
const communeCodes = new Set(demoCommunes.map((c) => c.code));

describe('demo reference data', () => {
  it('has the new province 37 from 2025-07-01', () => {
    expect(demoProvince).toMatchObject({ code: '37', name: 'Tỉnh Ninh Bình', type: 'province', validFrom: '2025-07-01' });
  });

  it('has at least 14 communes with unique 5-digit codes under province 37', () => {
    expect(demoCommunes.length).toBeGreaterThanOrEqual(14);
    expect(duplicates(demoCommunes.map((c) => c.code))).toEqual([]);
    for (const c of demoCommunes) {
      expect(c.code, c.name).toMatch(/^\d{5}$/);
      expect(['ward', 'commune', 'special_zone']).toContain(c.type);
      expect(c.parentCode).toBe('37');
      expect(c.validFrom).toBe('2025-07-01');
      expect(c.validTo).toBeNull();
      expect(c.name.startsWith(c.type === 'ward' ? 'Phường ' : c.type === 'commune' ? 'Xã ' : 'Đặc khu ')).toBe(true);
    }
  });

  it('includes Phường Nam Định as 13669', () => {
    expect(demoCommunes.find((c) => c.code === '13669')).toMatchObject({ name: 'Phường Nam Định', type: 'ward' });
  });

  it('keeps old units closed on 2025-06-30 and (code, validFrom) unique across all units', () => {
    expect(demoPreviousUnits.find((u) => u.code === '36')).toMatchObject({ name: 'Tỉnh Nam Định', validTo: '2025-06-30' });
    for (const u of demoPreviousUnits) {
      expect(u.validTo, u.name).toBe('2025-06-30');
      expect(u.validFrom).toMatch(ISO_DATE);
      expect(u.validFrom < u.validTo!).toBe(true);
      expect(u.code).toMatch(/^(\d{2}|\d{3}|\d{5})$/);
    }
    const all = [demoProvince, ...demoCommunes, ...demoPreviousUnits];
    expect(duplicates(all.map((u) => `${u.code}@${u.validFrom}`))).toEqual([]);
    // parents resolve to a unit version that exists
    const codes = new Set(all.map((u) => u.code));
    for (const u of all) if (u.parentCode !== null) expect(codes.has(u.parentCode), u.name).toBe(true);
  });

  it('maps every succession from an old unit to a current unit', () => {
    const oldCodes = new Set(demoPreviousUnits.map((u) => u.code));
    const currentCodes = new Set([demoProvince.code, ...communeCodes]);
    expect(demoSuccessions.length).toBeGreaterThan(0);
    expect(duplicates(demoSuccessions.map((s) => `${s.fromCode}>${s.toCode}@${s.effectiveDate}`))).toEqual([]);
    for (const s of demoSuccessions) {
      expect(oldCodes.has(s.fromCode), s.fromCode).toBe(true);
      expect(currentCodes.has(s.toCode), s.toCode).toBe(true);
      expect(s.fromCode).not.toBe(s.toCode);
      expect(s.effectiveDate).toBe('2025-07-01');
      expect(s.note.length).toBeGreaterThan(0);
    }
    expect(demoSuccessions.some((s) => s.fromCode === '36' && s.toCode === '37')).toBe(true);
  });

  it('has unique agency codes and identity codes that resolve', () => {
    expect(duplicates(demoAgencies.map((a) => a.code))).toEqual([]);
    expect(duplicates(demoAgencies.map((a) => a.identityCode))).toEqual([]);
    for (const a of demoAgencies) {
      expect(a.identityCode, a.code).toMatch(/^\d{3}\.\d{2}\.\d{2}\.H\d{2}$/);
      expect(a.unitCode === '37' || communeCodes.has(a.unitCode), a.code).toBe(true);
      if (a.parentCode !== null) expect(agencyByCode.has(a.parentCode), a.code).toBe(true);
    }
  });

  it('has the provincial centre, at least 5 departments and at least 2 commune centres', () => {
    expect(agencyByCode.get(PROVINCIAL_CENTRE_CODE)).toMatchObject({
      code: 'TTPVHCC',
      kind: 'service_centre',
      unitCode: '37',
      name: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình',
    });
    expect(demoAgencies.filter((a) => a.kind === 'department').length).toBeGreaterThanOrEqual(5);
    const communeCentres = demoAgencies.filter((a) => a.kind === 'service_centre' && a.unitCode !== '37');
    expect(communeCentres.length).toBeGreaterThanOrEqual(2);
    expect(communeCentres.some((a) => a.unitCode === '13669')).toBe(true);
    for (const a of demoAgencies) {
      if (a.kind === 'department') expect(a.unitCode).toBe('37');
      if (a.kind === 'commune_committee') expect(communeCodes.has(a.unitCode)).toBe(true);
    }
  });

  it('has at least 8 fields with unique snake_case codes', () => {
    expect(demoFields.length).toBeGreaterThanOrEqual(8);
    expect(duplicates(demoFields.map((f) => f.code))).toEqual([]);
    for (const f of demoFields) expect(f.code).toMatch(SNAKE);
  });
});

describe('demo procedure catalogue', () => {
  it('has at least 28 procedures with unique national-shaped codes', () => {
    expect(demoProcedures.length).toBeGreaterThanOrEqual(28);
    expect(duplicates(demoProcedures.map((p) => p.code))).toEqual([]);
    for (const p of demoProcedures) expect(p.code, p.name).toMatch(/^\d\.\d{6}$/);
  });

  it('uses at least 8 fields, every one of which resolves', () => {
    for (const p of demoProcedures) expect(fieldCodes.has(p.fieldCode), p.code).toBe(true);
    expect(new Set(demoProcedures.map((p) => p.fieldCode)).size).toBeGreaterThanOrEqual(8);
  });

  it('covers both tiers, both online levels, every duration unit', () => {
    expect(new Set(demoProcedures.map((p) => p.tier))).toEqual(new Set(['province', 'commune']));
    expect(new Set(demoProcedures.map((p) => p.onlineLevel))).toEqual(new Set(['full', 'partial']));
    const units: DurationUnit[] = ['hours', 'days', 'working_days', 'months'];
    const used = new Set(demoProcedures.map((p) => p.duration.unit));
    for (const u of units) expect(used.has(u), u).toBe(true);
    for (const p of demoProcedures) {
      expect(Number.isInteger(p.duration.value) && p.duration.value > 0, p.code).toBe(true);
    }
  });

  it('resolves competent and receiving agencies by tier', () => {
    for (const p of demoProcedures) {
      const competent = agencyByCode.get(p.competentAgencyCode);
      expect(competent, p.code).toBeDefined();
      expect(competent!.kind, p.code).toBe(p.tier === 'province' ? 'department' : 'commune_committee');
      expect(duplicates(p.receivingAgencyCodes), p.code).toEqual([]);
      for (const r of p.receivingAgencyCodes) {
        expect(agencyByCode.get(r)?.kind, `${p.code} ${r}`).toBe('service_centre');
      }
      // Every centre receives every procedure, whatever its tier (Decree 118/2025, DOMAIN section 1).
      expect([...p.receivingAgencyCodes].sort(), p.code).toEqual(
        demoAgencies
          .filter((a) => a.kind === 'service_centre')
          .map((a) => a.code)
          .sort(),
      );
      expect(p.receivingAgencyCodes[0], p.code).toBe(PROVINCIAL_CENTRE_CODE);
    }
  });

  it('is received by TTPVHCC for every procedure', () => {
    for (const p of demoProcedures) expect(p.receivingAgencyCodes, p.code).toContain('TTPVHCC');
  });

  it('has consistent channels, applicant types and online levels', () => {
    for (const p of demoProcedures) {
      expect(p.channels.length, p.code).toBeGreaterThan(0);
      expect(duplicates(p.channels), p.code).toEqual([]);
      expect(p.applicantTypes.length, p.code).toBeGreaterThan(0);
      expect(duplicates(p.applicantTypes), p.code).toEqual([]);
      if (p.onlineLevel === 'full') {
        // Decree 42/2022 art. 11: submitted online, result returned online or by public post.
        expect(p.channels, p.code).toContain('online');
        if (p.resultKind === 'paper') expect(p.channels, p.code).toContain('post');
      }
      for (const s of [p.name, p.steps, p.eligibility, p.resultDescription, p.resultDelivery]) {
        expect(s.trim().length, p.code).toBeGreaterThan(0);
      }
      expect(p.legalBasis.length, p.code).toBeGreaterThan(0);
      expect(Number.isInteger(p.popularity) && p.popularity > 0, p.code).toBe(true);
    }
  });

  it('has workflow shares summing to 1 with unique snake_case keys', () => {
    for (const p of demoProcedures) {
      expect(p.workflow.length, p.code).toBeGreaterThan(0);
      const sum = p.workflow.reduce((s, w) => s + w.share, 0);
      expect(Math.abs(sum - 1), p.code).toBeLessThanOrEqual(1e-9);
      expect(duplicates(p.workflow.map((w) => w.key)), p.code).toEqual([]);
      for (const w of p.workflow) {
        expect(w.key, p.code).toMatch(SNAKE);
        expect(w.share > 0 && w.share <= 1, p.code).toBe(true);
      }
      expect(
        p.workflow.some((w) => w.role === 'leader'),
        p.code,
      ).toBe(true);
    }
  });

  it('has forms of 3 to 10 fields with unique snake_case keys', () => {
    for (const p of demoProcedures) {
      expect(p.form.length, p.code).toBeGreaterThanOrEqual(3);
      expect(p.form.length, p.code).toBeLessThanOrEqual(10);
      expect(duplicates(p.form.map((f) => f.key)), p.code).toEqual([]);
      for (const f of p.form) expect(f.key, `${p.code} ${f.key}`).toMatch(SNAKE);
    }
  });

  it('uses every form field type somewhere', () => {
    const types: FormFieldType[] = ['text', 'textarea', 'number', 'date', 'select', 'checkbox', 'email', 'phone', 'id_number', 'tax_code', 'unit_code'];
    const used = new Set(demoProcedures.flatMap((p) => p.form.map((f) => f.type)));
    for (const t of types) expect(used.has(t), t).toBe(true);
  });

  it('gives select fields unique options and keeps number bounds and patterns sound', () => {
    for (const p of demoProcedures) {
      for (const f of p.form) {
        const where = `${p.code} ${f.key}`;
        if (f.type === 'select') {
          expect(f.options?.length ?? 0, where).toBeGreaterThanOrEqual(2);
          expect(duplicates(f.options!.map((o) => o.value)), where).toEqual([]);
        } else {
          expect(f.options, where).toBeUndefined();
        }
        if (f.min !== undefined || f.max !== undefined) expect(f.type, where).toBe('number');
        if (f.min !== undefined && f.max !== undefined) expect(f.min, where).toBeLessThanOrEqual(f.max);
        if (f.pattern !== undefined) expect(() => new RegExp(f.pattern!), where).not.toThrow();
        if (f.type === 'checkbox') expect(f.required, where).toBe(true);
      }
    }
  });

  it('has integer fees whose perFormField names a number field', () => {
    for (const p of demoProcedures) {
      expect(duplicates(p.fees.map((f) => f.code)), p.code).toEqual([]);
      for (const fee of p.fees) {
        expect(Number.isInteger(fee.amount) && fee.amount >= 0, `${p.code} ${fee.code}`).toBe(true);
        if (fee.perFormField !== undefined) {
          const field = p.form.find((f) => f.key === fee.perFormField);
          expect(field?.type, `${p.code} ${fee.code}`).toBe('number');
        }
      }
    }
    // many procedures are free (e.g. timely birth registration), others charge
    const free = demoProcedures.filter((p) => p.fees.every((f) => f.amount === 0));
    expect(free.length).toBeGreaterThanOrEqual(5);
    expect(demoProcedures.find((p) => p.code === '1.001193')?.fees ?? []).toEqual([]);
    expect(demoProcedures.some((p) => p.fees.some((f) => f.perFormField !== undefined))).toBe(true);
  });

  it('has components with unique codes and positive copies', () => {
    for (const p of demoProcedures) {
      expect(p.components.length, p.code).toBeGreaterThan(0);
      expect(duplicates(p.components.map((c) => c.code)), p.code).toEqual([]);
      for (const c of p.components) {
        expect(c.code, `${p.code} ${c.code}`).toMatch(SNAKE);
        expect(Number.isInteger(c.copies) && c.copies >= 1, `${p.code} ${c.code}`).toBe(true);
      }
      expect(
        p.components.some((c) => c.required),
        p.code,
      ).toBe(true);
    }
  });
});

describe('demo text', () => {
  it('stores every string in NFC', () => {
    const all = strings({
      demoProvince,
      demoCommunes,
      demoPreviousUnits,
      demoSuccessions,
      demoAgencies,
      demoFields,
      demoProcedures,
    });
    expect(all.length).toBeGreaterThan(1000);
    const bad = all.filter(([, s]) => s !== s.normalize('NFC')).map(([path]) => path);
    expect(bad).toEqual([]);
  });
});

describe('demo dossier timing', () => {
  it('keeps a received dossier at the desk from 12 minutes to two working days', () => {
    // Long legal times (no cap): 40% under 2 hours, 35% from 2 to 7.5 hours, 25% from 7.5 to 15.
    expect(deskWaitHours(0, 100)).toBeCloseTo(0.2, 9);
    expect(deskWaitHours(0.2, 100)).toBeCloseTo(1.1, 9);
    expect(deskWaitHours(0.4, 100)).toBeCloseTo(2, 9);
    expect(deskWaitHours(0.575, 100)).toBeCloseTo(4.75, 9);
    expect(deskWaitHours(0.75, 100)).toBeCloseTo(7.5, 9);
    expect(deskWaitHours(0.875, 100)).toBeCloseTo(11.25, 9);
    expect(deskWaitHours(0.999_999, 100)).toBeLessThan(15);
    // Mean over the unit interval: 0.4 × 1.1 + 0.35 × 4.75 + 0.25 × 11.25 = 4.915 hours.
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += deskWaitHours((i + 0.5) / n, 100);
    expect(sum / n).toBeCloseTo(4.915, 3);
  });

  it('never keeps it more than a third of the legal time, but allows 2 hours', () => {
    // 3 working days (22.5 working hours): at most 7.5 hours.
    expect(deskWaitHours(0.9, 22.5)).toBeCloseTo(7.5, 9);
    expect(deskWaitHours(0.5, 22.5)).toBeCloseTo(2 + (0.1 / 0.35) * 5.5, 9);
    // 4 working hours: at most 2 hours, short waits unchanged.
    expect(deskWaitHours(0.9, 4)).toBe(2);
    expect(deskWaitHours(0.1, 4)).toBeCloseTo(0.65, 9);
  });

  it('draws the same numbers from the same seed', () => {
    const a = rng(37);
    const b = rng(37);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(rng(38).next()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('demo payments and addresses', () => {
  it('draws payment references of the live shape, the same from the same seed', () => {
    const a = rng(37);
    const refs = Array.from({ length: 2000 }, () => demoReference(a));
    for (const r of refs) expect(r).toMatch(new RegExp(`^${REFERENCE_RE.source}$`));
    // 50 bits each: no repeats among a year's requests, every character of the alphabet used.
    expect(new Set(refs).size).toBe(refs.length);
    expect(new Set(refs.join('').slice(2)).size).toBe(32);
    const b = rng(37);
    expect(Array.from({ length: 5 }, () => demoReference(b))).toEqual(refs.slice(0, 5));
  });

  it('gives citizens addresses in the documentation ranges only (RFC 5737), both of them', () => {
    const r = rng(37);
    const ips = Array.from({ length: 2000 }, () => citizenAddress(r));
    for (const ip of ips) {
      const m = /^(203\.0\.113|198\.51\.100)\.(\d+)$/.exec(ip);
      expect(m, ip).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThanOrEqual(1);
      expect(Number(m![2])).toBeLessThanOrEqual(254);
    }
    expect(new Set(ips.map((ip) => ip.split('.').slice(0, 3).join('.')))).toEqual(new Set(['203.0.113', '198.51.100']));
    expect(new Set(ips).size).toBeGreaterThan(400);
  });

  it('puts staff on the province network and the bank in a documentation range', () => {
    expect(staffAddress(1, 11)).toBe('10.37.1.11');
    expect(staffAddress(4, 91)).toBe('10.37.4.91');
    expect(DEMO_BANK_ADDRESS).toMatch(/^192\.0\.2\.\d+$/);
  });
});
