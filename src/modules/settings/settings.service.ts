import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireRole } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import {
  getSetting,
  putSetting,
  readSetting,
  SETTING_DEFAULTS,
  SettingSchemas,
  type InvalidStoredSetting,
  type SettingKey,
  type SettingValue,
} from '../../platform/settings.ts';

export const SETTING_KEYS = Object.keys(SettingSchemas) as SettingKey[];

/** One setting as the administrators' page shows it. */
export interface SettingState<K extends SettingKey = SettingKey> {
  key: K;
  value: SettingValue<K>;
  /** The value in force equals the built-in default (never changed, changed back, or the stored value set aside). */
  isDefault: boolean;
  /**
   * The stored value when it no longer fits the setting's schema (stored before a rule was added,
   * or written by hand), with zod's reasons: the default is in force until a valid value is saved.
   */
  invalidStored: InvalidStoredSetting | null;
  /** The last change, if any was stored. */
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export const isDefaultValue = <K extends SettingKey>(key: K, value: unknown): boolean => canonical(value) === canonical(SETTING_DEFAULTS[key]);

/**
 * Every setting with the value in force, whether it is the default, a stored value set aside
 * because it no longer fits, and who changed it last (administrators only). Errors: FORBIDDEN.
 */
export async function listSettingStates(ctx: Ctx): Promise<SettingState[]> {
  requireRole(ctx.actor, 'admin');
  const rows = await queryRows<{ key: string; updated_at: Date | string; updated_by: string | null }>(
    ctx.db,
    sql`SELECT s.key, s.updated_at, u.display_name AS updated_by FROM settings s LEFT JOIN users u ON u.id = s.updated_by`,
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return Promise.all(
    SETTING_KEYS.map(async (key): Promise<SettingState> => {
      const { value, invalidStored } = await readSetting(ctx.db, key);
      const row = byKey.get(key);
      return {
        key,
        value,
        isDefault: isDefaultValue(key, value),
        invalidStored,
        updatedAt: row ? new Date(row.updated_at) : null,
        updatedBy: row?.updated_by ?? null,
      };
    }),
  );
}

/**
 * Changes one setting (administrators only): the value is validated against the setting's
 * schema, stored and audited as `settings.update` in one transaction. The API and the
 * administrators' page both call this, so they validate and audit alike.
 * Errors: FORBIDDEN; SETTING_INVALID (422, field errors under `value.…`; the zod error is its `cause`,
 * so a form can word each issue in its own language).
 */
export async function updateSetting<K extends SettingKey>(ctx: Ctx, key: K, value: unknown): Promise<SettingValue<K>> {
  const actor = requireRole(ctx.actor, 'admin');
  const parsed = SettingSchemas[key].safeParse(value);
  if (!parsed.success) {
    throw new AppError('invalid', 'SETTING_INVALID', {
      userMessage: 'Giá trị cấu hình không hợp lệ.',
      cause: parsed.error,
      errors: parsed.error.issues.map((i) => ({ path: ['value', ...i.path].join('.'), message: i.message })),
    });
  }
  await ctx.db.transaction(async (tx) => {
    await putSetting(tx, key, parsed.data as SettingValue<K>, actor.userId, ctx.now);
    await writeAudit({ ...ctx, db: tx }, { action: 'settings.update', targetType: 'setting', targetId: key, details: { value: parsed.data } });
  });
  return getSetting(ctx.db, key);
}
