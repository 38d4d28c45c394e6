import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { createUser, listUsers, replaceUserRoles, updateUser } from './users.service.ts';

const RoleName = z.enum(['citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin', 'security']);
const RoleInput = z.strictObject({ role: RoleName, agencyCode: z.string().max(64).optional(), includeChildren: z.boolean().optional() });
const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,62}$/, '3–63 ký tự: chữ thường, số, dấu chấm, gạch');
const UserRow = z.object({ id: z.string(), username: z.string(), displayName: z.string(), kind: z.string(), isActive: z.boolean(), roles: z.unknown() });

/** Account administration (administrators). */
export function userRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Accounts and their roles (administrators)',
          querystring: z.object({ role: RoleName.optional(), agency: z.string().max(64).optional() }),
          response: { 200: z.array(UserRow) },
        },
      },
      async (req) =>
        (await listUsers(ctxOf(req, database), req.query)).map((u) => ({
          id: u.id,
          username: u.username,
          displayName: u.display_name,
          kind: u.kind,
          isActive: u.is_active,
          roles: u.roles,
        })),
    );

    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Create an account (administrators)',
          body: z.strictObject({
            username: Username,
            displayName: z.string().trim().min(2).max(200),
            password: z.string().min(10, 'ít nhất 10 ký tự').max(200),
            kind: z.enum(['citizen', 'organisation', 'staff']),
            idNumber: z
              .string()
              .regex(/^\d{12}$/)
              .optional(),
            taxCode: z
              .string()
              .regex(/^\d{10}(\d{3})?$/)
              .optional(),
            phone: z.string().max(30).optional().describe('Mobile or landline, any common form (+84 912 345 678, 0228 3849 123); stored as 0912345678'),
            email: z.string().email().max(254).optional(),
            roles: z.array(RoleInput).max(6),
          }),
          response: { 201: z.object({ id: z.string() }) },
        },
      },
      async (req, reply) => reply.status(201).send({ id: await createUser(ctxOf(req, database), req.body) }),
    );

    app.put(
      '/users/:username/roles',
      {
        schema: {
          tags: ['users'],
          summary: "Replace an account's roles (administrators)",
          params: z.object({ username: Username }),
          body: z.strictObject({ roles: z.array(RoleInput).max(6) }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await replaceUserRoles(ctxOf(req, database), req.params.username, req.body.roles);
        return reply.status(204).send(null);
      },
    );

    app.patch(
      '/users/:username',
      {
        schema: {
          tags: ['users'],
          summary: 'Activate, deactivate or rename an account (administrators)',
          params: z.object({ username: Username }),
          body: z.strictObject({ isActive: z.boolean().optional(), displayName: z.string().trim().min(2).max(200).optional() }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await updateUser(ctxOf(req, database), req.params.username, req.body);
        return reply.status(204).send(null);
      },
    );
  };
}
