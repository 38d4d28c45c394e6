import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import type { Keyring } from './crypto.ts';

/** `security`: the security officer (security events, audit verification; province-wide, no agency). */
export type Role = 'citizen' | 'organisation' | 'reception' | 'specialist' | 'leader' | 'admin' | 'security';
export const STAFF_ROLES = ['reception', 'specialist', 'leader'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface RoleGrant {
  role: Role;
  agencyId: string | null;
  agencyCode: string | null;
  includeChildren: boolean;
  /** The agency ids this grant covers: its agency, and its descendants when includeChildren. */
  scope: string[];
}

/**
 * Who is acting. `agencyScope` is every agency id any of a staff member's grants covers (what they
 * may see); what they may DO in an agency depends on the grants that cover it (`scopeOf`).
 */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  kind: 'citizen' | 'organisation' | 'staff';
  roles: RoleGrant[];
  agencyScope: string[];
  sessionId: string | null;
}

/** What every use case receives. `db` may be a transaction, so use cases compose inside one. */
export interface Ctx {
  db: Db;
  actor: Actor | null;
  now: Date;
  log: FastifyBaseLogger;
  ip?: string | undefined;
  /** Encrypts and decrypts personal data at rest (src/platform/personal-data.ts). */
  keyring: Keyring;
}

export function hasRole(actor: Actor | null, role: Role): boolean {
  return !!actor && actor.roles.some((r) => r.role === role);
}

/**
 * The agencies in which the actor holds one of `roles`: someone who is the desk in A and a
 * leader in B acts as a leader only in B.
 */
export function scopeOf(actor: Actor, roles: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const g of actor.roles) if (roles.includes(g.role)) for (const id of g.scope) ids.add(id);
  return [...ids];
}

export function isStaff(actor: Actor | null): boolean {
  return !!actor && actor.roles.some((r) => r.role !== 'citizen' && r.role !== 'organisation');
}

/** A system actor for background jobs and the demo loader. */
export const SYSTEM_ROLE = 'system';
