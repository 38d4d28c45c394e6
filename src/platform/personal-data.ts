import { AppError } from './errors.ts';
import { Keyring, KeyringError } from './crypto.ts';

/**
 * Personal ID numbers and phone numbers at rest (docs/PRIVACY.md, "Encryption at rest").
 *
 * They are stored only encrypted (AES-256-GCM, `Keyring`), each ciphertext bound to its row and
 * column by the associated data, so a value copied into another row or column does not decrypt.
 * An ID number also gets a keyed hash (HMAC, `Keyring.lookupHash`) for exact lookups: linking an
 * account, finding a person's dossiers, staff search by ID number. Nothing else of these values
 * is stored: not in search text, not in JSON documents, not in logs.
 */
const ID_PURPOSE = 'id_number';

/** The keyed hash of a 12-digit personal ID number (hex); equal numbers give equal hashes. */
export function idNumberHash(keyring: Keyring, idNumber: string): string {
  return keyring.lookupHash(ID_PURPOSE, idNumber);
}

const aad = (table: string, column: string, rowId: string) => `${table}.${column}:${rowId}`;

function open(keyring: Keyring, sealed: string | null, table: string, column: string, rowId: string): string | null {
  if (sealed === null) return null;
  try {
    return keyring.decrypt(sealed, aad(table, column, rowId));
  } catch (err) {
    if (err instanceof KeyringError) {
      // A key removed from DATA_ENCRYPTION_KEY, or a value that was altered or moved: never guess.
      throw new AppError('internal', 'PERSONAL_DATA_UNREADABLE', { cause: err, details: { table, column } });
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts (users.id_number_enc, id_number_hash, phone_enc)

export interface SealedUserFields {
  idNumberEnc: string | null;
  idNumberHash: string | null;
  phoneEnc: string | null;
}

export function sealUserFields(
  keyring: Keyring,
  userId: string,
  v: { idNumber?: string | null | undefined; phone?: string | null | undefined },
): SealedUserFields {
  return {
    idNumberEnc: v.idNumber ? keyring.encrypt(v.idNumber, aad('users', 'id_number', userId)) : null,
    idNumberHash: v.idNumber ? idNumberHash(keyring, v.idNumber) : null,
    phoneEnc: v.phone ? keyring.encrypt(v.phone, aad('users', 'phone', userId)) : null,
  };
}

export function openUserFields(
  keyring: Keyring,
  row: { id: string; idNumberEnc: string | null; phoneEnc: string | null },
): { idNumber: string | null; phone: string | null } {
  return {
    idNumber: open(keyring, row.idNumberEnc, 'users', 'id_number', row.id),
    phone: open(keyring, row.phoneEnc, 'users', 'phone', row.id),
  };
}

// ---------------------------------------------------------------------------------------------
// Dossier applicants (dossiers.applicant without idNumber and phone, plus the sealed columns)

export interface SealedApplicant<A> {
  /** The applicant as stored in `dossiers.applicant`: everything but the ID number and phone. */
  stored: Omit<A, 'idNumber' | 'phone'>;
  idNumberEnc: string | null;
  idNumberHash: string | null;
  phoneEnc: string | null;
}

export function sealApplicant<A extends { idNumber?: string | undefined; phone?: string | undefined }>(
  keyring: Keyring,
  dossierId: string,
  a: A,
): SealedApplicant<A> {
  const { idNumber, phone, ...stored } = a;
  return {
    stored,
    idNumberEnc: idNumber ? keyring.encrypt(idNumber, aad('dossiers', 'applicant_id_number', dossierId)) : null,
    idNumberHash: idNumber ? idNumberHash(keyring, idNumber) : null,
    phoneEnc: phone ? keyring.encrypt(phone, aad('dossiers', 'applicant_phone', dossierId)) : null,
  };
}

/** The columns a dossier row needs for `openApplicant`, in Drizzle's names. */
export interface ApplicantColumns {
  id: string;
  applicant: unknown;
  applicantIdNumberEnc: string | null;
  applicantPhoneEnc: string | null;
}

/**
 * The applicant with the ID number and phone decrypted. An anonymised applicant (deleted on
 * request, docs/PRIVACY.md) has no ID number: it reads as the empty string.
 */
export function openApplicant<A = Record<string, unknown> & { idNumber: string; phone?: string }>(keyring: Keyring, row: ApplicantColumns): A {
  const stored = (row.applicant ?? {}) as Record<string, unknown>;
  const idNumber = open(keyring, row.applicantIdNumberEnc, 'dossiers', 'applicant_id_number', row.id) ?? '';
  const phone = open(keyring, row.applicantPhoneEnc, 'dossiers', 'applicant_phone', row.id);
  return { ...stored, idNumber, ...(phone ? { phone } : {}) } as A;
}

/** Only the applicant's phone (a register's contact column). */
export function openApplicantPhone(keyring: Keyring, dossierId: string, sealed: string | null): string | null {
  return open(keyring, sealed, 'dossiers', 'applicant_phone', dossierId);
}

/** The same, for raw SQL rows (snake_case columns). */
export function openApplicantRow<A = Record<string, unknown> & { idNumber: string; phone?: string }>(
  keyring: Keyring,
  row: { id: string; applicant: unknown; applicant_id_number_enc: string | null; applicant_phone_enc: string | null },
): A {
  return openApplicant<A>(keyring, {
    id: row.id,
    applicant: typeof row.applicant === 'string' ? JSON.parse(row.applicant) : row.applicant,
    applicantIdNumberEnc: row.applicant_id_number_enc,
    applicantPhoneEnc: row.applicant_phone_enc,
  });
}

// ---------------------------------------------------------------------------------------------
// Form answers of the types `id_number` and `phone` (e.g. the mother's ID number on a birth
// registration) are encrypted inside `dossiers.form`, each bound to its dossier and field.

const SEALED_FIELD_TYPES: ReadonlySet<string> = new Set(['id_number', 'phone']);

export function sealForm(
  keyring: Keyring,
  dossierId: string,
  fields: readonly { key: string; type: string }[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  for (const f of fields) {
    const v = out[f.key];
    if (SEALED_FIELD_TYPES.has(f.type) && typeof v === 'string' && v !== '' && !Keyring.isEncrypted(v)) {
      out[f.key] = keyring.encrypt(v, aad('dossiers', `form.${f.key}`, dossierId));
    }
  }
  return out;
}

/** The form answers with every encrypted answer decrypted. */
export function openForm(keyring: Keyring, dossierId: string, stored: unknown): Record<string, unknown> {
  const values = { ...((typeof stored === 'string' ? JSON.parse(stored) : (stored ?? {})) as Record<string, unknown>) };
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && Keyring.isEncrypted(v)) values[k] = open(keyring, v, 'dossiers', `form.${k}`, dossierId);
  }
  return values;
}

/** Whether a search word is a whole personal ID number (then it is looked up by its keyed hash). */
export function isPersonalIdNumber(v: string): boolean {
  return /^\d{12}$/.test(v);
}
