/**
 * The security monitoring rules, pure: what counts as a sign-in failure, an export, a role
 * change; sliding windows over timestamped items; office hours. security.monitor.ts feeds them
 * audit records and the windows around them.
 */
import type { OfficeHours } from '../calendar/index.ts';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export type RuleName =
  'auth.password_guessing' | 'auth.address_many_accounts' | 'staff.mass_read' | 'staff.export' | 'staff.off_hours' | 'admin.role_change' | 'audit.chain_broken';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const READ_WINDOW_MS = 60 * 60_000;

/** The audit fields the rules look at. */
export interface AuditFact {
  seq: number;
  at: Date;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** A failed sign-in of any kind (password, second factor, lockout refusals): `auth.login` and `auth.login.*` not succeeding. */
export const isLoginFailure = (f: Pick<AuditFact, 'action' | 'outcome'>): boolean =>
  (f.action === 'auth.login' || f.action.startsWith('auth.login.')) && f.outcome !== 'success';

/** The account a sign-in record is about: the username tried when recorded, else the target. */
export const loginAccount = (f: Pick<AuditFact, 'details' | 'targetId'>): string | null =>
  (typeof f.details.username === 'string' ? f.details.username : null) ?? f.targetId;

/** A read of a dossier or of its files (personal data). */
export const isDossierRead = (f: Pick<AuditFact, 'action'>): boolean => f.action === 'dossier.read' || f.action === 'dossier.file.read';

/** An export of data: any action with an `export` segment (reports, data exports, national sync dumps). */
export const isExport = (f: Pick<AuditFact, 'action'>): boolean => /(^|[._])export(s|ed)?($|[._])/.test(f.action);

/** A change of who may do what: accounts created with roles, roles replaced, granted or revoked, permissions. */
export const isRoleChange = (f: Pick<AuditFact, 'action'>): boolean => f.action === 'user.create' || /(^|\.)(roles?|permissions?)(\.|$)/.test(f.action);

/** Roles mentioned in a record's details (to rate a role change: granting admin or security is high). */
export function rolesIn(details: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 4) return;
    if (typeof v === 'string') return;
    if (Array.isArray(v)) for (const x of v) typeof x === 'string' ? out.add(x) : visit(x, depth + 1);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'role' && typeof x === 'string') out.add(x);
        else visit(x, depth + 1);
      }
    }
  };
  visit(details.roles ?? details.role ?? details, 0);
  return [...out];
}

export interface WindowItem {
  t: number;
  key: string;
}

/**
 * The first instant at which `threshold` distinct keys fall within a window of `windowMs` ending
 * at that instant (items sorted by time or not), with those keys; null when it never happens.
 * Counting attempts: give each attempt its own key. Counting accounts per address: the account.
 */
export function firstBreach(items: readonly WindowItem[], windowMs: number, threshold: number): { t: number; keys: string[] } | null {
  const sorted = [...items].sort((a, b) => a.t - b.t);
  const counts = new Map<string, number>();
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    const cur = sorted[end]!;
    counts.set(cur.key, (counts.get(cur.key) ?? 0) + 1);
    while (sorted[start]!.t <= cur.t - windowMs) {
      const k = sorted[start]!.key;
      const n = counts.get(k)! - 1;
      if (n === 0) counts.delete(k);
      else counts.set(k, n);
      start++;
    }
    if (counts.size >= threshold) return { t: cur.t, keys: [...counts.keys()] };
  }
  return null;
}

const VN_OFFSET_MS = 7 * 3_600_000;
const hhmmToMinutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/**
 * True when the instant falls outside the office periods of a working day, in Vietnam time.
 * `isWorkingDay` answers for a 'YYYY-MM-DD' date (the working calendar with holidays).
 */
export function isOutsideOfficeHours(at: Date, officeHours: OfficeHours, isWorkingDay: (date: string) => boolean): boolean {
  const local = new Date(at.getTime() + VN_OFFSET_MS);
  const date = local.toISOString().slice(0, 10);
  if (!isWorkingDay(date)) return true;
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60;
  return !officeHours.periods.some((p) => minutes >= hhmmToMinutes(p.start) && minutes < hhmmToMinutes(p.end));
}

/** The window bucket an instant falls in: one event per subject and bucket. */
export const bucketOf = (t: number, windowMs: number): number => Math.floor(t / windowMs);
