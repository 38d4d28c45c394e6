import { z } from 'zod';

export const LoginBody = z.strictObject({
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

export const AuthMethodSchema = z.enum(['password', 'password+totp', 'password+recovery', 'vneid']);

export const SessionGranted = z.object({
  mfaRequired: z.literal(false),
  token: z.string(),
  expiresAt: z.string(),
  method: AuthMethodSchema,
  user: UserView,
  /** Only when this sign-in completed a TOTP enrolment: shown once, keep them somewhere safe. */
  recoveryCodes: z.array(z.string()).optional(),
});

export const EnrolmentView = z.object({
  secret: z.string().describe('base32, for typing into an authenticator app'),
  otpauthUri: z.string(),
  qrSvg: z.string().describe('the otpauth URI as an SVG QR code'),
});

export const MfaChallenge = z.object({
  mfaRequired: z.literal(true),
  challenge: z.string().describe('send it with the code to POST /api/v1/auth/totp'),
  challengeExpiresAt: z.string(),
  /** Present when the account must first enrol: scan it, then send the first code. */
  enrolment: EnrolmentView.nullable(),
});

export const LoginResponse = z.union([SessionGranted, MfaChallenge]);

export const TotpBody = z.strictObject({
  challenge: z.string().min(20).max(200),
  code: z.string().trim().min(6).max(20).describe('six digits from the app, or a recovery code'),
});

export const CodeBody = z.strictObject({ code: z.string().trim().min(6).max(20) });

export const TotpStatusView = z.object({
  enrolled: z.boolean(),
  pending: z.boolean(),
  confirmedAt: z.string().nullable(),
  recoveryCodesLeft: z.number().int(),
  required: z.boolean(),
});

export const SessionView = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  method: AuthMethodSchema,
  current: z.boolean(),
});
