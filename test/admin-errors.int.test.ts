import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { demoProcedures } from '../src/db/demo/catalogue.ts';
import { users } from '../src/db/schema.ts';
import { createProcedure, createProcedureVersion } from '../src/modules/procedures/procedures.service.ts';
import type { Ctx } from '../src/platform/context.ts';
import { AppError } from '../src/platform/errors.ts';
import { serviceErrorText, serviceFieldText } from '../src/web/service-errors.ts';
import { createTestApp, type TestApp } from './harness.ts';

/**
 * A procedure's field of work or agency removed while the editor was open: the page's own check
 * passes, the service's (procedures.service.ts checkReferences) fails. Only a race reaches it
 * through the page, so the service is called here directly, on the demo province, with a
 * definition naming a field and an agency that do not exist: the words the administrators' pages
 * show come from the error the service really throws (its reasons and values).
 */
let t: TestApp;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestApp();
  const [admin] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.username, 'admin.lan'));
  ctx = {
    db: t.database.db,
    actor: {
      userId: admin!.id,
      username: 'admin.lan',
      displayName: 'Quản trị',
      kind: 'staff',
      roles: [{ role: 'admin', agencyId: null, agencyCode: null, includeChildren: false, scope: [] }],
      agencyScope: [],
      sessionId: null,
    },
    now: new Date(),
    log: t.app.log,
    keyring: t.app.keyring,
  };
});
afterAll(async () => {
  await t?.close();
});

const { code: existingCode, ...published } = demoProcedures[0]!;
/** A definition whose field of work and one receiving agency were removed meanwhile. */
const stale = { ...published, fieldCode: 'linh-vuc-da-xoa', receivingAgencyCodes: [...published.receivingAgencyCodes, 'SO-XD'] };

/** What the service throws (it must throw). */
async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('service errors on the admin pages, from the service that throws them', () => {
  it('says a removed field of work or agency in the page language, with its code, for a new procedure and a new version', async () => {
    for (const err of [await refusal(() => createProcedure(ctx, '9.999001', stale)), await refusal(() => createProcedureVersion(ctx, existingCode, stale))]) {
      expect(err.code).toBe('PROCEDURE_REFERENCE_INVALID');
      expect(err.errors).toHaveLength(2);
      expect(serviceFieldText('en', err, 0)).toBe('the field linh-vuc-da-xoa no longer exists (it may just have been removed); choose another field');
      expect(serviceFieldText('vi', err, 0)).toBe('lĩnh vực linh-vuc-da-xoa không còn tồn tại (có thể vừa bị xóa); hãy chọn lĩnh vực khác');
      expect(serviceFieldText('en', err, 1)).toBe('The agency SO-XD no longer exists (it may just have been removed); choose another agency.');
      expect(serviceFieldText('vi', err, 1)).toBe('Cơ quan SO-XD không còn tồn tại (có thể vừa bị xóa); hãy chọn cơ quan khác.');
      expect(serviceErrorText('en', err)).toBe('The procedure refers to data that does not exist.');
      expect(serviceErrorText('vi', err)).toBe(err.userMessage);
    }
    // Refused before anything was written.
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM procedures WHERE code = '9.999001'`);
    expect(n!.n).toBe(0);
  });
});
