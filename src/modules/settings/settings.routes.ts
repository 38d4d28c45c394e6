import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireRole } from '../../platform/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http.ts';
import { getSetting, putSetting, SettingSchemas, type SettingKey } from '../../platform/settings.ts';

const KEYS = Object.keys(SettingSchemas) as SettingKey[];

/** The [config] values an administrator edits: office hours, dossier code pattern, upload limit. */
export function settingsRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/settings',
      { schema: { tags: ['settings'], summary: 'Every setting with its current value (administrators)', response: { 200: z.record(z.string(), z.unknown()) } } },
      async (req) => {
        requireRole(req.actor, 'admin');
        const entries = await Promise.all(KEYS.map(async (k) => [k, await getSetting(database.db, k)] as const));
        return Object.fromEntries(entries);
      },
    );

    app.put(
      '/settings/:key',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change a setting (administrators); the value is validated against its schema',
          params: z.object({ key: z.enum(KEYS as [SettingKey, ...SettingKey[]]) }),
          body: z.object({ value: z.unknown() }),
          response: { 200: z.object({ key: z.string(), value: z.unknown() }) },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        const actor = requireRole(ctx.actor, 'admin');
        const key = req.params.key;
        const parsed = SettingSchemas[key].safeParse(req.body.value);
        if (!parsed.success) {
          throw new AppError('invalid', 'SETTING_INVALID', {
            userMessage: 'Giá trị cấu hình không hợp lệ.',
            errors: parsed.error.issues.map((i) => ({ path: ['value', ...i.path].join('.'), message: i.message })),
          });
        }
        await database.db.transaction(async (tx) => {
          await putSetting(tx, key, parsed.data as never, actor.userId, ctx.now);
          await writeAudit({ ...ctx, db: tx }, { action: 'settings.update', targetType: 'setting', targetId: key, details: { value: parsed.data } });
        });
        return { key, value: await getSetting(database.db, key) };
      },
    );
  };
}
