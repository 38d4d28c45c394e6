import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { requireRole } from '../../platform/auth.ts';
import { ctxOf } from '../../platform/http.ts';
import { getSetting, type SettingKey } from '../../platform/settings.ts';
import { SETTING_KEYS, updateSetting } from './settings.service.ts';

/** The [config] values an administrator edits: office hours, dossier code pattern, upload limit. */
export function settingsRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/settings',
      { schema: { tags: ['settings'], summary: 'Every setting with its current value (administrators)', response: { 200: z.record(z.string(), z.unknown()) } } },
      async (req) => {
        requireRole(req.actor, 'admin');
        const entries = await Promise.all(SETTING_KEYS.map(async (k) => [k, await getSetting(database.db, k)] as const));
        return Object.fromEntries(entries);
      },
    );

    app.put(
      '/settings/:key',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change a setting (administrators); the value is validated against its schema',
          params: z.object({ key: z.enum(SETTING_KEYS as [SettingKey, ...SettingKey[]]) }),
          body: z.object({ value: z.unknown() }),
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
