import { z } from 'zod';
import { IsoDay, queryInt } from '../../platform/schemas.ts';
import { GROUP_KEYS, INDICATOR_KEYS } from './index-rules.ts';

const UnitCode = z.string().trim().min(2).max(80);

export const IndexQuery = z.object({
  unit: UnitCode.describe('Mã tỉnh (2 số), mã cơ quan, mã đơn vị hành chính cấp xã (5 số) hoặc mã lĩnh vực (có thể viết field:<mã>)'),
  from: IsoDay.describe('Ngày đầu kỳ (theo giờ Việt Nam), tính cả ngày này'),
  to: IsoDay.describe('Ngày cuối kỳ, tính cả ngày này'),
});

export const RankingQuery = z.object({
  level: z.enum(['agency', 'commune']),
  from: IsoDay,
  to: IsoDay,
});

export const ExplainParams = z.object({ key: z.string().min(1).max(80) });

export const ExplainQuery = IndexQuery.extend({
  counted: z.enum(['true', 'false']).optional().describe('true: chỉ hồ sơ được tính vào tử số; false: chỉ hồ sơ không được tính'),
  page: queryInt(1, 100_000).default(1),
  pageSize: queryInt(1, 100).default(20),
});

const GroupKey = z.enum(GROUP_KEYS);
const IndicatorKey = z.enum(INDICATOR_KEYS as [string, ...string[]]);

export const IndicatorResultSchema = z.object({
  key: z.string(),
  name: z.string(),
  basis: z.enum(['dossiers', 'procedures', 'unavailable']),
  numerator: z.number().int(),
  denominator: z.number().int(),
  ratio: z.number().nullable(),
  target: z.number(),
  max: z.number(),
  score: z.number().nullable(),
  applicable: z.boolean(),
});

export const GroupResultSchema = z.object({
  key: GroupKey,
  name: z.string(),
  max: z.number(),
  applicableMax: z.number(),
  score: z.number().nullable(),
  indicators: z.array(IndicatorResultSchema),
});

const UnitKind = z.enum(['province', 'agency', 'commune', 'field']);

export const IndexResultSchema = z.object({
  unit: z.string(),
  unitKind: UnitKind,
  unitName: z.string(),
  from: z.string(),
  to: z.string(),
  version: z.number().int(),
  versionValidFrom: z.string(),
  total: z.number(),
  max: z.number(),
  percent: z.number().nullable(),
  groups: z.array(GroupResultSchema),
  computedAt: z.string(),
});

export const RankingResultSchema = z.object({
  level: z.enum(['agency', 'commune']),
  from: z.string(),
  to: z.string(),
  version: z.number().int(),
  computedAt: z.string(),
  units: z.array(
    z.object({
      rank: z.number().int(),
      unit: z.string(),
      unitKind: UnitKind,
      name: z.string(),
      total: z.number(),
      max: z.number(),
      percent: z.number().nullable(),
      groups: z.array(z.object({ key: GroupKey, name: z.string(), score: z.number().nullable(), max: z.number(), applicableMax: z.number() })),
    }),
  ),
});

export const ExplainResultSchema = z.object({
  key: z.string(),
  name: z.string(),
  basis: z.enum(['dossiers', 'procedures', 'unavailable']),
  unit: z.string(),
  from: z.string(),
  to: z.string(),
  counted: z.boolean().nullable(),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  items: z.array(
    z.object({
      kind: z.enum(['dossier', 'procedure']),
      code: z.string(),
      procedureCode: z.string(),
      procedureName: z.string(),
      status: z.string().nullable(),
      channel: z.string().nullable(),
      receivingAgency: z.string().nullable(),
      competentAgency: z.string().nullable(),
      receivedAt: z.string().nullable(),
      endAt: z.string().nullable(),
      dueAt: z.string().nullable(),
      indexDueAt: z.string().nullable(),
      extensionCount: z.number().int().nullable(),
      supplements: z.number().int().nullable(),
      counted: z.boolean(),
      reason: z.string(),
      reasonText: z.string(),
      lateWorkingDays: z.number().nullable(),
    }),
  ),
});

const GroupWeight = z.object({ key: GroupKey, max: z.number().min(0).max(100) });
const IndicatorWeight = z.object({ key: IndicatorKey, points: z.number().min(0).max(100), target: z.number().gt(0).lte(1) });

export const IndexConfigSchema = z.object({
  groups: z.array(GroupWeight).min(1).max(10),
  indicators: z.array(IndicatorWeight).min(1).max(50),
});

/** The configuration in a request body: strict at every level, so a misspelt key is refused (422) instead of dropped. */
const IndexConfigInput = z.strictObject({
  groups: z.array(z.strictObject(GroupWeight.shape)).min(1).max(10),
  indicators: z.array(z.strictObject(IndicatorWeight.shape)).min(1).max(50),
});

export const ConfigQuery = z.object({ at: IsoDay.optional().describe('Ngày cần xem cấu hình (mặc định: hôm nay)') });

export const PutConfigBody = z.strictObject({
  validFrom: IsoDay.describe('Ngày bắt đầu áp dụng (từ hôm nay trở đi)'),
  note: z.string().max(2000).optional(),
  config: IndexConfigInput,
});

const VersionMeta = z.object({ version: z.number().int(), validFrom: z.string(), note: z.string().nullable(), createdAt: z.string() });

export const ConfigVersionSchema = VersionMeta.extend({ config: IndexConfigSchema });
export const ConfigResponseSchema = ConfigVersionSchema.extend({ versions: z.array(VersionMeta) });
