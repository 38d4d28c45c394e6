import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { isRealDay } from '../../platform/schemas.ts';
import { vnDate } from '../../platform/time.ts';
import {
  deleteSuccession,
  getUnitSuccessions,
  importSuccessionsCsv,
  importUnitsCsv,
  listAgencies,
  listAgencyStaff,
  listUnits,
  saveAgency,
} from './reference.service.ts';

const SuccessionLink = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string().nullable(),
  effectiveDate: z.string(),
  note: z.string().nullable(),
});
const Unit = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  parentCode: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});

export function referenceRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/units',
      {
        schema: {
          tags: ['reference'],
          summary: 'Administrative units in force on a date',
          querystring: z.object({
            at: z.string().refine(isRealDay, 'một ngày có thật, dạng YYYY-MM-DD').optional(),
            parent: z
              .string()
              .regex(/^\d{2,5}$/)
              .optional(),
          }),
          response: { 200: z.array(Unit) },
        },
      },
      async (req) => listUnits(database.db, req.query.at ?? vnDate(new Date()), req.query.parent),
    );

    app.post(
      '/units/import',
      {
        // The whole national list (≈3,400 communes) fits; the app-wide body limit is 1 MiB.
        bodyLimit: 6 * 1024 * 1024,
        schema: {
          tags: ['reference'],
          summary: 'Import administrative units from CSV (code,name,type,parent_code,valid_from[,valid_to]); administrators',
          body: z.strictObject({ csv: z.string().min(1).max(5_000_000) }),
          response: { 200: z.object({ rows: z.number(), inserted: z.number(), updated: z.number() }) },
        },
      },
      async (req) => importUnitsCsv(ctxOf(req, database), req.body.csv),
    );

    app.post(
      '/units/successions/import',
      {
        bodyLimit: 6 * 1024 * 1024,
        schema: {
          tags: ['reference'],
          summary: 'Import administrative-unit successions from CSV (from_code,to_code,effective_date[,note]); administrators',
          description:
            'All or nothing: every bad line is listed (problem+json `errors`, path `csv.lineN`, code UNIT_SUCCESSIONS_CSV_INVALID). ' +
            'A successor must be a unit in force on the effective date. Importing the same file again changes nothing.',
          body: z.strictObject({ csv: z.string().min(1).max(5_000_000) }),
          response: { 200: z.object({ rows: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number() }) },
        },
      },
      async (req) => importSuccessionsCsv(ctxOf(req, database), req.body.csv),
    );

    app.delete(
      '/units/successions/:id',
      {
        schema: {
          tags: ['reference'],
          summary: 'Delete one administrative-unit succession (administrators)',
          description:
            'The id is the one `GET /units/{code}/successions` lists. Audited as `units.successions.delete` with the row. ' +
            '404 SUCCESSION_NOT_FOUND when no row has the id.',
          params: z.object({ id: z.string().regex(/^[1-9]\d{0,14}$/, 'mã liên kết là một số nguyên dương') }),
          response: { 204: z.null().describe('Deleted') },
        },
      },
      async (req, reply) => {
        await deleteSuccession(ctxOf(req, database), Number(req.params.id));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/units/:code/successions',
      {
        schema: {
          tags: ['reference'],
          summary: 'The units that replaced a unit (successors) and the units it replaced (predecessors)',
          params: z.object({ code: z.string().regex(/^(\d{2}|\d{3}|\d{5})$/, 'mã tỉnh (2 chữ số), huyện cũ (3) hoặc xã (5)') }),
          response: { 200: z.object({ code: z.string(), successors: z.array(SuccessionLink), predecessors: z.array(SuccessionLink) }) },
        },
      },
      async (req) => getUnitSuccessions(database.db, req.params.code),
    );

    app.get(
      '/agencies',
      {
        schema: {
          tags: ['reference'],
          summary: 'Agencies and service centres',
          response: {
            200: z.array(
              z.object({ code: z.string(), name: z.string(), shortName: z.string(), identityCode: z.string(), unitCode: z.string(), kind: z.string() }),
            ),
          },
        },
      },
      async () => listAgencies(database.db),
    );

    app.put(
      '/agencies/:code',
      {
        schema: {
          tags: ['reference'],
          summary: 'Create or update an agency (administrators)',
          params: z.object({ code: z.string().regex(/^[A-Za-z0-9._-]{2,64}$/) }),
          body: z.strictObject({
            name: z.string().trim().min(2).max(300),
            shortName: z.string().trim().min(2).max(120),
            identityCode: z.string().regex(/^[0-9A-Z.]{5,40}$/, 'mã định danh theo QCVN 102, ví dụ 000.00.12.H37'),
            parentCode: z.string().max(64).nullable().optional(),
            unitCode: z.string().regex(/^(\d{2}|\d{5})$/, 'mã tỉnh (2 chữ số) hoặc xã (5 chữ số)'),
            kind: z.enum(['service_centre', 'department', 'commune_committee', 'other']),
          }),
          response: { 200: z.object({ created: z.boolean() }), 201: z.object({ created: z.boolean() }) },
        },
      },
      async (req, reply) => {
        const r = await saveAgency(ctxOf(req, database), { ...req.body, code: req.params.code });
        return reply.status(r.created ? 201 : 200).send(r);
      },
    );

    app.get(
      '/agencies/:code/staff',
      {
        schema: {
          tags: ['reference'],
          summary: 'Staff of an agency with a role (staff of that agency only)',
          params: z.object({ code: z.string().max(64) }),
          querystring: z.object({ role: z.enum(['reception', 'specialist', 'leader']).default('specialist') }),
          response: { 200: z.array(z.object({ id: z.string(), displayName: z.string(), username: z.string() })) },
        },
      },
      async (req) => listAgencyStaff(ctxOf(req, database), req.params.code, req.query.role),
    );
  };
}
