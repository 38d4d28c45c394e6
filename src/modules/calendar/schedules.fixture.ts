import type { CalendarOverrides } from './holidays.ts';

/** Test data: the real 2025 schedule for civil servants (Tết off Mon 27 – Fri 31 Jan 2025, no substitute day after it). */
export const OFFICIAL_2025: CalendarOverrides = {
  daysOff: [
    { date: '2025-01-01', name: 'Tết Dương lịch' },
    ...[27, 28, 29, 30, 31].map((day) => ({ date: `2025-01-${day}`, name: 'Nghỉ Tết Nguyên đán Ất Tỵ' })),
    { date: '2025-04-07', name: 'Giỗ Tổ Hùng Vương' },
    { date: '2025-04-30', name: 'Ngày Chiến thắng' },
    { date: '2025-05-01', name: 'Ngày Quốc tế Lao động' },
    { date: '2025-09-01', name: 'Quốc khánh' },
    { date: '2025-09-02', name: 'Quốc khánh' },
  ],
  workingDays: [],
};
