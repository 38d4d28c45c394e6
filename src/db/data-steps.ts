import type { Keyring } from '../platform/crypto.ts';
import { idNumberHash, sealApplicant, sealForm, sealUserFields } from '../platform/personal-data.ts';
import type { ScriptSession } from './client.ts';

/**
 * Data steps: work a SQL migration cannot do because it needs something the database must never
 * hold, such as the data encryption key. A step runs in its migration's transaction, right after
 * the migration's script, so the migration and its data move commit together or not at all.
 * Steps run once, with the migration; like migrations they are never edited after landing.
 */
export interface DataStepDeps {
  /** Needed only when there is something to encrypt; a fresh database runs every step without it. */
  keyring?: Keyring | undefined;
}

export type DataStep = (s: ScriptSession, deps: DataStepDeps) => Promise<void>;

export class DataStepError extends Error {}

const BATCH = 500;

function needKeyring(deps: DataStepDeps, what: string): Keyring {
  if (!deps.keyring) throw new DataStepError(`${what} must be encrypted, but no data encryption key was given to the migration`);
  return deps.keyring;
}

/** 0011: moves clear ID numbers and phone numbers into the encrypted columns. */
async function sealPersonalData(s: ScriptSession, deps: DataStepDeps): Promise<void> {
  for (;;) {
    const users = await s.query<{ id: string; id_number: string | null; phone: string | null }>(
      `SELECT id, id_number, phone FROM users WHERE id_number IS NOT NULL OR phone IS NOT NULL LIMIT ${BATCH}`,
    );
    if (!users.length) break;
    const keyring = needKeyring(deps, 'accounts’ ID and phone numbers');
    for (const u of users) {
      const f = sealUserFields(keyring, u.id, { idNumber: u.id_number, phone: u.phone });
      await s.query('UPDATE users SET id_number_enc = $2, id_number_hash = $3, phone_enc = $4, id_number = NULL, phone = NULL WHERE id = $1', [
        u.id,
        f.idNumberEnc,
        f.idNumberHash,
        f.phoneEnc,
      ]);
    }
  }
  for (;;) {
    const rows = await s.query<{ id: string; applicant: Record<string, unknown> | string; search_text: string }>(
      `SELECT id, applicant, search_text FROM dossiers WHERE applicant ? 'idNumber' OR applicant ? 'phone' LIMIT ${BATCH}`,
    );
    if (!rows.length) break;
    const keyring = needKeyring(deps, 'applicants’ ID and phone numbers');
    for (const r of rows) {
      const a = (typeof r.applicant === 'string' ? JSON.parse(r.applicant) : r.applicant) as { idNumber?: unknown; phone?: unknown };
      const idNumber = typeof a.idNumber === 'string' && a.idNumber ? a.idNumber : undefined;
      const phone = typeof a.phone === 'string' && a.phone ? a.phone : undefined;
      const sealed = sealApplicant(keyring, r.id, { ...a, idNumber, phone });
      // The search text held the ID number too: take it out (staff now find ID numbers by their hash).
      const searchText = idNumber ? r.search_text.split(idNumber).join(' ').replace(/\s+/g, ' ').trim() : r.search_text;
      await s.query(
        `UPDATE dossiers SET applicant = $2::jsonb, applicant_id_number_enc = $3, applicant_id_number_hash = $4, applicant_phone_enc = $5, search_text = $6 WHERE id = $1`,
        [r.id, JSON.stringify(sealed.stored), sealed.idNumberEnc, sealed.idNumberHash, sealed.phoneEnc, searchText],
      );
    }
  }
  // Form answers of the types id_number and phone.
  for (;;) {
    const rows = await s.query<{ id: string; form: Record<string, unknown> | string; fields: { key: string; type: string }[] | string }>(
      `SELECT d.id, d.form, pv.definition->'form' AS fields FROM dossiers d JOIN procedure_versions pv ON pv.id = d.procedure_version_id
        WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(pv.definition->'form', '[]'::jsonb)) f
                      WHERE f->>'type' IN ('id_number', 'phone') AND coalesce(d.form->>(f->>'key'), '') NOT IN ('')
                        AND left(d.form->>(f->>'key'), 7) <> 'enc:v1:')
        LIMIT ${BATCH}`,
    );
    if (!rows.length) break;
    const keyring = needKeyring(deps, 'ID and phone numbers in form answers');
    for (const r of rows) {
      const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
      const sealed = sealForm(keyring, r.id, parse(r.fields), parse(r.form));
      await s.query('UPDATE dossiers SET form = $2::jsonb WHERE id = $1', [r.id, JSON.stringify(sealed)]);
    }
  }
  const docs = await s.query<{ id: string; applicant_id_number: string }>(
    'SELECT id, applicant_id_number FROM sealed_documents WHERE applicant_id_number IS NOT NULL',
  );
  if (docs.length) {
    const keyring = needKeyring(deps, 'identifiers on sealed results');
    // Sealed results are append-only; this one-time move of the identifier to its hash is the exception.
    await s.exec('ALTER TABLE sealed_documents DISABLE TRIGGER sealed_documents_no_update');
    for (const d of docs) {
      await s.query('UPDATE sealed_documents SET applicant_id_hash = $2, applicant_id_number = NULL WHERE id = $1', [
        d.id,
        idNumberHash(keyring, d.applicant_id_number),
      ]);
    }
    await s.exec('ALTER TABLE sealed_documents ENABLE TRIGGER sealed_documents_no_update');
  }
}

/** Data steps by migration id. */
export const DATA_STEPS: Readonly<Record<string, DataStep>> = {
  '0011_personal_data_sealed': sealPersonalData,
};
