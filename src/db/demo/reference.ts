// Demo reference data: the new Ninh Bình province (after the 1 July 2025 merger of Hà Nam,
// Nam Định and Ninh Bình), a few pre-2025 units with their succession, the agencies that
// receive and decide dossiers, and the procedure fields. Pure data: no I/O.
//
// Sources and confidence (see docs DOMAIN.md sections 1, 2 and 5):
// - Province code 37 and the 2025 commune codes below follow the list of Decision
//   19/2025/QĐ-TTg as found in two independent public copies that agree with each other; still
//   treat every code other than 13669 (Phường Nam Định) as an illustrative demo value and
//   check it against the official text before using it in production.
// - Pre-2025 codes: provinces 35 (Hà Nam), 36 (Nam Định), 37 (Ninh Bình) and district 356
//   (Thành phố Nam Định) are the long-standing codes; the old ward/commune codes and every
//   valid_from date of a pre-2025 unit are ILLUSTRATIVE.
// - Agency identity codes follow the QCVN 102 shape ("000.00.12.H37") but are ILLUSTRATIVE.
// All text is Unicode NFC.

/** Types an administrative unit may have (matches the admin_units.type check). */
export type AdminUnitType = 'province' | 'city' | 'district' | 'town' | 'ward' | 'commune' | 'special_zone' | 'township';

/** One version of an administrative unit; (code, validFrom) identifies it. Dates are ISO yyyy-mm-dd. */
export interface AdminUnit {
  code: string;
  name: string;
  type: AdminUnitType;
  parentCode: string | null;
  validFrom: string;
  validTo: string | null;
}

/** Old unit → new unit, from the effective date. A unit split in parts has several rows. */
export interface AdminUnitSuccession {
  fromCode: string;
  toCode: string;
  effectiveDate: string;
  note: string;
}

export type AgencyKind = 'service_centre' | 'department' | 'commune_committee';

export interface DemoAgency {
  code: string;
  name: string;
  shortName: string;
  /** National identity code (QCVN 102 shape); prefix of dossier codes received here. */
  identityCode: string;
  parentCode: string | null;
  /** Administrative unit the agency belongs to: '37' for provincial agencies, a commune code otherwise. */
  unitCode: string;
  kind: AgencyKind;
}

export interface DemoField {
  code: string;
  name: string;
}

export const REORGANISATION_DATE = '2025-07-01';
const LAST_DAY_BEFORE = '2025-06-30';

// ---------------------------------------------------------------------------------------------
// Units valid from 1 July 2025
// ---------------------------------------------------------------------------------------------

export const demoProvince: AdminUnit = {
  code: '37',
  name: 'Tỉnh Ninh Bình',
  type: 'province',
  parentCode: null,
  validFrom: REORGANISATION_DATE,
  validTo: null,
};

type CommuneType = 'ward' | 'commune' | 'special_zone';

function unit(code: string, name: string, type: CommuneType): AdminUnit {
  return { code, name, type, parentCode: '37', validFrom: REORGANISATION_DATE, validTo: null };
}

/**
 * A selection of the 129 communes and wards of the new Ninh Bình (32 wards, 97 communes; no
 * special zone). Codes other than 13669 are to be treated as illustrative demo values (see above).
 */
export const demoCommunes: AdminUnit[] = [
  // Former Thành phố Nam Định
  unit('13669', 'Phường Nam Định', 'ward'),
  unit('13684', 'Phường Thiên Trường', 'ward'),
  unit('13693', 'Phường Đông A', 'ward'),
  unit('13699', 'Phường Thành Nam', 'ward'),
  unit('13708', 'Phường Mỹ Lộc', 'ward'),
  unit('13777', 'Phường Trường Thi', 'ward'),
  unit('13972', 'Phường Vị Khê', 'ward'),
  unit('13984', 'Phường Hồng Quang', 'ward'),
  // Former Ninh Bình province
  unit('14329', 'Phường Hoa Lư', 'ward'),
  unit('14533', 'Phường Tây Hoa Lư', 'ward'),
  unit('14362', 'Phường Tam Điệp', 'ward'),
  unit('14428', 'Xã Nho Quan', 'commune'),
  unit('14404', 'Xã Cúc Phương', 'commune'),
  unit('14464', 'Xã Gia Viễn', 'commune'),
  unit('14638', 'Xã Kim Sơn', 'commune'),
  unit('14620', 'Xã Phát Diệm', 'commune'),
  // Former Hà Nam province
  unit('13285', 'Phường Phủ Lý', 'ward'),
  unit('13366', 'Phường Hà Nam', 'ward'),
  unit('13324', 'Phường Duy Tiên', 'ward'),
  unit('13504', 'Xã Bình Lục', 'commune'),
  unit('13573', 'Xã Lý Nhân', 'commune'),
  // Former Nam Định districts
  unit('13741', 'Xã Vụ Bản', 'commune'),
  unit('13795', 'Xã Ý Yên', 'commune'),
  unit('13891', 'Xã Nghĩa Hưng', 'commune'),
  unit('14089', 'Xã Xuân Trường', 'commune'),
  unit('14167', 'Xã Giao Thủy', 'commune'),
  unit('14215', 'Xã Hải Hậu', 'commune'),
];

// ---------------------------------------------------------------------------------------------
// Units before 1 July 2025 (closed on 30 June 2025) and their succession
// ---------------------------------------------------------------------------------------------

function oldUnit(code: string, name: string, type: AdminUnitType, parentCode: string | null, validFrom: string): AdminUnit {
  return { code, name, type, parentCode, validFrom, validTo: LAST_DAY_BEFORE };
}

/**
 * Pre-2025 units. Code 37 appears here too: the old Tỉnh Ninh Bình is a different version of
 * code 37 (different valid_from) from the new province; it keeps its code, so it needs no
 * succession row. Old ward/commune codes are illustrative
 * and chosen not to overlap the demo's 2025 codes (in the official list a new unit often takes
 * over the code of one of the units merged into it, which the (code, valid_from) key allows).
 */
export const demoPreviousUnits: AdminUnit[] = [
  oldUnit('35', 'Tỉnh Hà Nam', 'province', null, '1997-01-01'),
  oldUnit('36', 'Tỉnh Nam Định', 'province', null, '1997-01-01'),
  oldUnit('37', 'Tỉnh Ninh Bình', 'province', null, '1992-04-01'),
  // The district level ended on 1 July 2025; it is kept only so old dossiers resolve.
  oldUnit('356', 'Thành phố Nam Định', 'city', '36', '1997-01-01'),
  oldUnit('13645', 'Phường Vị Xuyên', 'ward', '356', '1997-01-01'),
  oldUnit('13648', 'Phường Cửa Bắc', 'ward', '356', '1997-01-01'),
  oldUnit('13651', 'Phường Năng Tĩnh', 'ward', '356', '1997-01-01'),
  oldUnit('13654', 'Phường Trần Hưng Đạo', 'ward', '356', '1997-01-01'),
  oldUnit('13657', 'Phường Lộc Vượng', 'ward', '356', '1997-01-01'),
  oldUnit('13660', 'Phường Lộc Hạ', 'ward', '356', '1997-01-01'),
  oldUnit('13663', 'Phường Mỹ Xá', 'ward', '356', '1997-01-01'),
];

const PROVINCE_MERGER_NOTE = 'Hợp nhất tỉnh Hà Nam, tỉnh Nam Định và tỉnh Ninh Bình thành tỉnh Ninh Bình (Nghị quyết số 202/2025/QH15)';
const INTO_NAM_DINH_WARD =
  'Sắp xếp các phường Quang Trung, Vị Xuyên, Lộc Vượng, Cửa Bắc, Trần Hưng Đạo, Năng Tĩnh, Cửa Nam và xã Mỹ Phúc thành phường Nam Định';

export const demoSuccessions: AdminUnitSuccession[] = [
  { fromCode: '35', toCode: '37', effectiveDate: REORGANISATION_DATE, note: PROVINCE_MERGER_NOTE },
  { fromCode: '36', toCode: '37', effectiveDate: REORGANISATION_DATE, note: PROVINCE_MERGER_NOTE },
  { fromCode: '13645', toCode: '13669', effectiveDate: REORGANISATION_DATE, note: INTO_NAM_DINH_WARD },
  { fromCode: '13648', toCode: '13669', effectiveDate: REORGANISATION_DATE, note: INTO_NAM_DINH_WARD },
  { fromCode: '13651', toCode: '13669', effectiveDate: REORGANISATION_DATE, note: INTO_NAM_DINH_WARD },
  { fromCode: '13654', toCode: '13669', effectiveDate: REORGANISATION_DATE, note: INTO_NAM_DINH_WARD },
  { fromCode: '13657', toCode: '13669', effectiveDate: REORGANISATION_DATE, note: INTO_NAM_DINH_WARD },
  {
    fromCode: '13660',
    toCode: '13684',
    effectiveDate: REORGANISATION_DATE,
    note: 'Sắp xếp phường Lộc Hạ, xã Mỹ Tân và xã Mỹ Trung thành phường Thiên Trường',
  },
  {
    fromCode: '13663',
    toCode: '13699',
    effectiveDate: REORGANISATION_DATE,
    note: 'Sắp xếp phường Mỹ Xá và xã Đại An thành phường Thành Nam',
  },
  // The district level was dissolved, not merged: the territory of Thành phố Nam Định went to
  // these eight new wards (one row per part).
  ...['13669', '13684', '13693', '13699', '13708', '13777', '13972', '13984'].map((toCode): AdminUnitSuccession => ({
    fromCode: '356',
    toCode,
    effectiveDate: REORGANISATION_DATE,
    note: 'Kết thúc hoạt động của đơn vị hành chính cấp huyện; địa bàn thành phố Nam Định chia về 08 phường mới',
  })),
];

// ---------------------------------------------------------------------------------------------
// Agencies
// ---------------------------------------------------------------------------------------------

/** Code of the provincial Public Administration Service Centre: it receives every procedure. */
export const PROVINCIAL_CENTRE_CODE = 'TTPVHCC';

function communeAgencies(communeCode: string, label: string, level2: string): DemoAgency[] {
  const committee = `UBND-${communeCode}`;
  return [
    {
      code: committee,
      name: `Ủy ban nhân dân ${label}`,
      shortName: `UBND ${label}`,
      identityCode: `000.00.${level2}.H37`,
      parentCode: null,
      unitCode: communeCode,
      kind: 'commune_committee',
    },
    {
      code: `TTPVHCC-${communeCode}`,
      name: `Trung tâm Phục vụ hành chính công ${label}`,
      shortName: `TTPVHCC ${label}`,
      identityCode: `000.01.${level2}.H37`,
      parentCode: committee,
      unitCode: communeCode,
      kind: 'service_centre',
    },
  ];
}

function department(code: string, name: string, level2: string): DemoAgency {
  return {
    code,
    name,
    shortName: name,
    identityCode: `000.00.${level2}.H37`,
    parentCode: null,
    unitCode: '37',
    kind: 'department',
  };
}

export const demoAgencies: DemoAgency[] = [
  {
    code: PROVINCIAL_CENTRE_CODE,
    name: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình',
    shortName: 'TTPVHCC tỉnh',
    identityCode: '000.00.01.H37',
    parentCode: null,
    unitCode: '37',
    kind: 'service_centre',
  },
  // Provincial departments after the 2025 reorganisation.
  department('STP', 'Sở Tư pháp', '10'),
  department('STC', 'Sở Tài chính', '11'), // business registration moved here from Sở Kế hoạch và Đầu tư
  department('SNNMT', 'Sở Nông nghiệp và Môi trường', '12'), // land, environment, minerals
  department('SXD', 'Sở Xây dựng', '13'), // construction and transport
  department('SYT', 'Sở Y tế', '14'), // social protection moved here
  department('SGDDT', 'Sở Giáo dục và Đào tạo', '15'),
  department('SNV', 'Sở Nội vụ', '16'), // emulation and rewards, people with meritorious services
  // Commune level: each commune People's Committee runs its own service centre.
  ...communeAgencies('13669', 'phường Nam Định', '31'),
  ...communeAgencies('14329', 'phường Hoa Lư', '32'),
  ...communeAgencies('13285', 'phường Phủ Lý', '33'),
  ...communeAgencies('14215', 'xã Hải Hậu', '34'),
];

// ---------------------------------------------------------------------------------------------
// Procedure fields (lĩnh vực)
// ---------------------------------------------------------------------------------------------

export const demoFields: DemoField[] = [
  { code: 'ho_tich', name: 'Hộ tịch' },
  { code: 'chung_thuc', name: 'Chứng thực' },
  { code: 'ly_lich_tu_phap', name: 'Lý lịch tư pháp' },
  { code: 'dang_ky_kinh_doanh', name: 'Thành lập và hoạt động của doanh nghiệp' },
  { code: 'ho_kinh_doanh', name: 'Thành lập và hoạt động của hộ kinh doanh' },
  { code: 'dat_dai', name: 'Đất đai' },
  { code: 'moi_truong', name: 'Môi trường' },
  { code: 'khoang_san', name: 'Địa chất và khoáng sản' },
  { code: 'xay_dung', name: 'Hoạt động xây dựng' },
  { code: 'giao_thong', name: 'Đường bộ' },
  { code: 'bao_tro_xa_hoi', name: 'Bảo trợ xã hội' },
  { code: 'nguoi_co_cong', name: 'Người có công' },
  { code: 'giao_duc', name: 'Giáo dục và Đào tạo' },
  { code: 'thi_dua_khen_thuong', name: 'Thi đua, khen thưởng' },
];
