/**
 * The reference of the service index benchmark and of test/service-index-rollup.int.test.ts: a
 * deliberately simple full recomputation. Every dossier is read back from the base tables (with
 * its files and rating, not from the facts or the roll-up) and judged one by one in TypeScript by
 * the pure rules (index-rules.ts), then the province and every top-level agency are scored.
 */
import { queryRows, sql, type Db } from '../src/db/client.ts';
import { loadClock } from '../src/modules/calendar/index.ts';
import {
  addContributions,
  dossierContributions,
  procedureContributions,
  scoreAll,
  type Counts,
  type DossierFacts,
  type IndexConfig,
  type IndicatorKey,
  type Period,
} from '../src/modules/service-index/index-rules.ts';
import { configFor, indexDueOf, type IndexResult, type RankingResult } from '../src/modules/service-index/index.ts';

interface RefRow {
  id: string;
  version: number;
  status: DossierFacts['status'];
  channel: DossierFacts['channel'];
  received_at: Date | null;
  finished_at: Date | null;
  returned_at: Date | null;
  paused_at: Date | null;
  due_at: Date | null;
  pauses: { from: string; to: string }[];
  supplement_count: number;
  extension_count: number;
  procedure_id: string;
  procedure_version_id: string;
  receiving_agency_id: string;
  competent_agency_id: string;
  is_paid_online: boolean;
  rating: DossierFacts['rating'];
  comps: string[] | null;
  reused: boolean;
  sealed: boolean;
  asked: boolean;
}

interface UnitAcc {
  counts: Partial<Record<IndicatorKey, Counts>>;
  online: Set<string>;
  paid: Set<string>;
}

export async function referenceComputation(db: Db, p: Period, opts: { log?: (s: string) => void } = {}) {
  const clock = await loadClock(db);
  const config: IndexConfig = (await configFor(db, p.to)).config;
  const versions = new Map<
    string,
    { resultKind: DossierFacts['resultKind']; offeredOnline: boolean; feeBearing: boolean; required: string[]; duration: unknown }
  >();
  for (const v of await queryRows<{ id: string; definition: Record<string, any> }>(db, sql`SELECT id, definition FROM procedure_versions`)) {
    const d = v.definition;
    versions.set(v.id, {
      resultKind: d.resultKind,
      offeredOnline: (d.channels as string[]).includes('online'),
      feeBearing: (d.fees as { amount: number }[]).some((f) => f.amount > 0),
      required: (d.components as { code: string; required: boolean }[]).filter((c) => c.required).map((c) => c.code),
      duration: d.duration,
    });
  }
  const agencies = await queryRows<{ id: string; code: string; parent_id: string | null }>(db, sql`SELECT id, code, parent_id FROM agencies`);
  const byId = new Map(agencies.map((a) => [a.id, a]));
  const rootOf = (id: string): string => {
    let a = byId.get(id)!;
    while (a.parent_id) a = byId.get(a.parent_id)!;
    return a.id;
  };
  const acc = () => ({ counts: {}, online: new Set<string>(), paid: new Set<string>() }) as UnitAcc;
  const province = acc();
  const units = new Map<string, UnitAcc>();
  let last = '00000000-0000-0000-0000-000000000000';
  let seen = 0;
  for (;;) {
    const rows = await queryRows<RefRow>(
      db,
      sql`SELECT d.id, d.version, d.status, d.channel, d.received_at, d.finished_at, d.returned_at, d.paused_at, d.due_at, d.pauses, d.supplement_count,
                 d.extension_count, d.procedure_id, d.procedure_version_id, d.receiving_agency_id, d.competent_agency_id, d.is_paid_online, r.rating,
                 (SELECT array_agg(f.component_code) FROM dossier_files f WHERE f.dossier_id = d.id AND f.removed_at IS NULL) AS comps,
                 EXISTS (SELECT 1 FROM dossier_files f WHERE f.dossier_id = d.id AND f.removed_at IS NULL AND f.reused_from_id IS NOT NULL) AS reused,
                 EXISTS (SELECT 1 FROM sealed_documents sd WHERE sd.dossier_id = d.id) AS sealed,
                 EXISTS (SELECT 1 FROM payments py WHERE py.dossier_id = d.id) AS asked
          FROM dossiers d LEFT JOIN dossier_ratings r ON r.dossier_id = d.id
          WHERE d.id > ${last} ORDER BY d.id LIMIT 20000`,
    );
    if (!rows.length) break;
    last = rows.at(-1)!.id;
    seen += rows.length;
    for (const r of rows) {
      const v = versions.get(r.procedure_version_id)!;
      const receivedAt = r.received_at ? new Date(r.received_at) : null;
      const indexDueAt =
        r.extension_count === 0
          ? r.due_at
            ? new Date(r.due_at)
            : null
          : receivedAt
            ? indexDueOf(
                { id: r.id, version: r.version, received_at: receivedAt, pauses: r.pauses, duration: v.duration as { value: number; unit: string } },
                clock,
              )
            : null;
      const comps = new Set(r.comps ?? []);
      const facts: DossierFacts = {
        status: r.status,
        channel: r.channel,
        receivedAt,
        finishedAt: r.finished_at ? new Date(r.finished_at) : null,
        returnedAt: r.returned_at ? new Date(r.returned_at) : null,
        pausedAt: r.paused_at ? new Date(r.paused_at) : null,
        pauses: r.pauses.map((x) => ({ from: new Date(x.from), to: new Date(x.to) })),
        supplementCount: r.supplement_count,
        indexDueAt,
        resultKind: v.resultKind,
        electronicResult: r.sealed,
        paymentRequested: r.asked || r.is_paid_online,
        offeredOnline: v.offeredOnline,
        feeBearing: v.feeBearing,
        componentsAttached: v.required.every((c) => comps.has(c)),
        reused: r.reused,
        isPaidOnline: r.is_paid_online,
        rating: r.rating,
      };
      const c = dossierContributions(facts, p);
      const receivedIn = receivedAt !== null && receivedAt >= p.start && receivedAt < p.end;
      const targets = [province, ...new Set([rootOf(r.receiving_agency_id), rootOf(r.competent_agency_id)])].map((x) => {
        if (typeof x !== 'string') return x;
        let a = units.get(x);
        if (!a) units.set(x, (a = acc()));
        return a;
      });
      for (const t of targets) {
        addContributions(t.counts, c);
        if (receivedIn && r.channel === 'online') t.online.add(r.procedure_id);
        if (receivedIn && r.is_paid_online) t.paid.add(r.procedure_id);
      }
    }
  }
  opts.log?.(`reference read ${seen.toLocaleString('en')} dossiers`);

  const procs = await queryRows<{ id: string; competent_agency_id: string; definition: Record<string, unknown>; receivers: string[] | null }>(
    db,
    // Each procedure as its version in force at the period's end: the latest published before it.
    sql`SELECT DISTINCT ON (pr.id) pr.id, ca.id AS competent_agency_id, pv.definition,
               (SELECT array_agg(a.id) FROM agencies a WHERE a.code IN (SELECT jsonb_array_elements_text(pv.definition->'receivingAgencyCodes'))) AS receivers
        FROM procedures pr JOIN procedure_versions pv ON pv.procedure_id = pr.id
        JOIN agencies ca ON ca.code = pv.definition->>'competentAgencyCode'
        WHERE pr.is_active AND pv.published_at < ${p.end}
        ORDER BY pr.id, pv.published_at DESC, pv.version DESC`,
  );
  const score = (a: UnitAcc, inUnit: (pr: (typeof procs)[number]) => boolean) => {
    const counts = { ...a.counts };
    const pc: Partial<Record<IndicatorKey, Counts>> = {
      'transparency.complete_content': { numerator: 0, denominator: 0 },
      'online.offered': { numerator: 0, denominator: 0 },
      'online.used': { numerator: 0, denominator: 0 },
      'online.payment_integrated': { numerator: 0, denominator: 0 },
    };
    for (const pr of procs.filter(inUnit)) {
      const def = pr.definition;
      addContributions(
        pc,
        procedureContributions({
          definition: def,
          offeredOnline: (def.channels as string[]).includes('online'),
          feeBearing: (def.fees as { amount: number }[]).some((f) => f.amount > 0),
          hasOnlineDossier: a.online.has(pr.id),
          hasPaidOnlineDossier: a.paid.has(pr.id),
        }),
      );
    }
    return scoreAll(config, { ...counts, ...pc });
  };
  const subtreeOf = (rootId: string) => new Set(agencies.filter((x) => rootOf(x.id) === rootId).map((x) => x.id));
  const agencyScores = new Map<string, ReturnType<typeof scoreAll>>();
  for (const root of agencies.filter((x) => x.parent_id === null)) {
    const ids = subtreeOf(root.id);
    agencyScores.set(
      root.code,
      score(units.get(root.id) ?? acc(), (pr) => ids.has(pr.competent_agency_id) || (pr.receivers ?? []).some((id) => ids.has(id))),
    );
  }
  return { province: score(province, () => true), agencies: agencyScores };
}

export function compareIndex(fast: IndexResult, ref: ReturnType<typeof scoreAll>): string[] {
  const out: string[] = [];
  if (fast.total !== ref.total || fast.max !== ref.max) out.push(`province total ${fast.total}/${fast.max} ≠ reference ${ref.total}/${ref.max}`);
  const refInd = new Map(ref.groups.flatMap((g) => g.indicators).map((i) => [i.key, i]));
  for (const i of fast.groups.flatMap((g) => g.indicators)) {
    const r = refInd.get(i.key)!;
    if (i.numerator !== r.numerator || i.denominator !== r.denominator || i.score !== r.score) {
      out.push(`province ${i.key}: ${i.numerator}/${i.denominator} (${i.score}) ≠ reference ${r.numerator}/${r.denominator} (${r.score})`);
    }
  }
  return out;
}

export function compareRanking(fast: RankingResult, ref: Map<string, ReturnType<typeof scoreAll>>): string[] {
  const out: string[] = [];
  if (fast.units.length !== ref.size) out.push(`ranking has ${fast.units.length} units, reference ${ref.size}`);
  for (const u of fast.units) {
    const r = ref.get(u.unit);
    if (!r) {
      out.push(`ranking unit ${u.unit} missing from the reference`);
      continue;
    }
    if (u.total !== r.total || u.max !== r.max) out.push(`agency ${u.unit}: ${u.total}/${u.max} ≠ reference ${r.total}/${r.max}`);
    for (const g of u.groups) {
      const rg = r.groups.find((x) => x.key === g.key)!;
      if (g.score !== rg.score) out.push(`agency ${u.unit} ${g.key}: ${g.score} ≠ reference ${rg.score}`);
    }
  }
  return out;
}
