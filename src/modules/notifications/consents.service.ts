/**
 * Consent to optional uses of personal data (Decree 13/2023/NĐ-CP; issue 6). Email and in-app
 * notifications are part of the public service and need no consent; SMS notifications are
 * optional and are sent only to people who said yes. The table keeps each person's current
 * answer per purpose; every answer (yes or no) is also an audit record, which is the history.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { consents } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { toIsoOrNull } from '../../platform/time.ts';

export const CONSENT_PURPOSES = {
  sms_notifications: {
    title: 'Nhận thông báo về hồ sơ qua tin nhắn SMS',
    description:
      'Tỉnh Số gửi tin nhắn SMS đến số điện thoại ghi trong hồ sơ khi hồ sơ thay đổi trạng thái (tiếp nhận, cần bổ sung, có kết quả...). Thư điện tử và thông báo trên Cổng vẫn được gửi dù ông/bà không đồng ý.',
  },
} as const;
export type ConsentPurpose = keyof typeof CONSENT_PURPOSES;
export const CONSENT_SOURCES = ['api', 'web', 'desk'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export function isConsentPurpose(p: string): p is ConsentPurpose {
  return Object.hasOwn(CONSENT_PURPOSES, p);
}

export interface ConsentView {
  purpose: ConsentPurpose;
  title: string;
  description: string;
  granted: boolean;
  at: string | null;
  source: string | null;
}

/** Every purpose with the person's answer (no answer yet = not granted). */
export async function listConsents(db: Db, userId: string): Promise<ConsentView[]> {
  const rows = await db.select().from(consents).where(eq(consents.userId, userId));
  const byPurpose = new Map(rows.map((r) => [r.purpose, r]));
  return (Object.keys(CONSENT_PURPOSES) as ConsentPurpose[]).map((purpose) => {
    const r = byPurpose.get(purpose);
    return { purpose, ...CONSENT_PURPOSES[purpose], granted: r?.granted ?? false, at: toIsoOrNull(r?.at), source: r?.source ?? null };
  });
}

/** Whether this person has granted this purpose. */
export async function hasConsent(db: Db, userId: string, purpose: ConsentPurpose): Promise<boolean> {
  const [r] = await db
    .select({ granted: consents.granted })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.purpose, purpose)))
    .limit(1);
  return r?.granted === true;
}

/**
 * Records the signed-in person's answer for a purpose, with an audit record in the same
 * transaction. Errors: CONSENT_PURPOSE_NOT_FOUND.
 */
export async function setConsent(ctx: Ctx, purpose: string, granted: boolean, source: ConsentSource): Promise<ConsentView> {
  const actor = requireActor(ctx.actor);
  if (!isConsentPurpose(purpose)) throw notFound('CONSENT_PURPOSE_NOT_FOUND', 'mục đích sử dụng dữ liệu');
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(consents)
      .values({ userId: actor.userId, purpose, granted, at: ctx.now, source })
      .onConflictDoUpdate({ target: [consents.userId, consents.purpose], set: { granted, at: ctx.now, source } });
    await writeAudit(
      { ...ctx, db: tx },
      { action: granted ? 'consent.grant' : 'consent.withdraw', targetType: 'user', targetId: actor.userId, details: { purpose, granted, source } },
    );
  });
  return { purpose, ...CONSENT_PURPOSES[purpose], granted, at: toIsoOrNull(ctx.now), source };
}
