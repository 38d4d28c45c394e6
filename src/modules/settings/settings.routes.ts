import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { requireRole } from '../../platform/auth.ts';
import { ctxOf } from '../../platform/http.ts';
import { getSetting, settingIssueErrors, type SettingKey } from '../../platform/settings.ts';
import { toIsoOrNull } from '../../platform/time.ts';
import { listSettingStates, SETTING_KEYS, updateSetting } from './settings.service.ts';

/** Said with a stored value set aside (the API and the page word it alike). */
const INVALID_STORED_MESSAGE = 'Giá trị đã lưu không hợp lệ, hệ thống đang dùng giá trị mặc định.';

const SettingStateSchema = z.object({
  key: z.string(),
  value: z.unknown(),
  isDefault: z.boolean(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  invalidStored: z
    .object({ message: z.string(), value: z.unknown(), errors: z.array(z.object({ path: z.string(), message: z.string() })) })
    .nullable()
    .describe('The stored value when it no longer fits the schema: the default is in force until a valid value is saved'),
});

/** The [config] values an administrator edits: office hours, dossier code pattern, upload limit. */
export function settingsRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/settings',
      {
        schema: { tags: ['settings'], summary: 'Every setting with its current value (administrators)', response: { 200: z.record(z.string(), z.unknown()) } },
      },
      async (req) => {
        requireRole(req.actor, 'admin');
        const entries = await Promise.all(SETTING_KEYS.map(async (k) => [k, await getSetting(database.db, k)] as const));
        return Object.fromEntries(entries);
      },
    );

    app.get(
      '/settings/states',
      {
        schema: {
          tags: ['settings'],
          summary: 'Every setting with its value in force, whether it is the default, who changed it, and a stored value set aside as invalid (administrators)',
          response: { 200: z.object({ items: z.array(SettingStateSchema) }) },
        },
      },
      async (req) => {
        const states = await listSettingStates(ctxOf(req, database));
        return {
          items: states.map((s) => ({
            key: s.key,
            value: s.value,
            isDefault: s.isDefault,
            updatedAt: toIsoOrNull(s.updatedAt),
            updatedBy: s.updatedBy,
            invalidStored: s.invalidStored
              ? { message: INVALID_STORED_MESSAGE, value: s.invalidStored.value, errors: settingIssueErrors(s.invalidStored.issues) }
              : null,
          })),
        };
      },
    );

    app.put(
      '/settings/:key',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change a setting (administrators); the value is validated against its schema',
          params: z.object({ key: z.enum(SETTING_KEYS as [SettingKey, ...SettingKey[]]) }),
          body: z.strictObject({ value: z.unknown() }),
          response: { 200: z.object({ key: z.string(), value: z.unknown() }) },
        },
      },
      async (req) => {
        const key = req.params.key;
        return { key, value: await updateSetting(ctxOf(req, database), key, req.body.value) };
      },
    );
  };
}
