import { z } from 'zod';

export const LoginBody = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1000),
});

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  kind: z.enum(['citizen', 'organisation', 'staff']),
  roles: z.array(z.string()),
  agencyCode: z.string().nullable(),
});
export type UserView = z.infer<typeof UserView>;

export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: UserView,
});
