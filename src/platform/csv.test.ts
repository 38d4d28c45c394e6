import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvTable, tooManyCells } from './csv.ts';

describe('parseCsv', () => {
  it('parses quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffcode,name\r\n13669,"Phường ""Nam"" Định, mới"\n')).toEqual([
      ['code', 'name'],
      ['13669', 'Phường "Nam" Định, mới'],
    ]);
  });
  it('keeps empty fields and skips blank lines', () => {
    expect(parseCsv('a,,c\n\nd,e,\n')).toEqual([
      ['a', '', 'c'],
      ['d', 'e', ''],
    ]);
  });
  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n"oops,c\n')).toThrow(/line 2/);
  });
});

describe('parseCsvTable', () => {
  const columns = { required: ['code', 'name'], optional: ['from', 'note'] };
  it('takes the required columns and any leading part of the optional ones, case and spaces ignored', () => {
    expect(parseCsvTable('Code , NAME\n01,A\n', columns)).toEqual({ ok: true, columns: 2, rows: [{ line: 2, cells: ['01', 'A'] }] });
    expect(parseCsvTable('code,name,from\n\n01,A,2025-07-01,x\n', columns)).toEqual({
      ok: true,
      columns: 3,
      rows: [{ line: 3, cells: ['01', 'A', '2025-07-01', 'x'] }],
    });
  });
  it('refuses a header that is short, out of order, skips an optional column or has one too many, naming the line expected', () => {
    const expected = {
      ok: false,
      problem: { path: 'csv.header', message: 'dòng đầu của tệp phải là dòng tiêu đề: code,name[,from[,note]]' },
      reason: { reason: 'csv_header', params: { columns: 'code,name[,from[,note]]' } },
    };
    for (const header of ['code', 'name,code', 'code,name,note', 'code,name,from,note,extra', ''])
      expect(parseCsvTable(`${header}\n01,A\n`, columns)).toEqual(expected);
  });
  it('reports a quote left open as a problem of the whole file', () => {
    expect(parseCsvTable('code,name\n01,"A\n', columns)).toEqual({
      ok: false,
      problem: { path: 'csv', message: 'dấu ngoặc kép mở ở dòng 2 không được đóng lại' },
      reason: { reason: 'csv_quote', params: { line: 2 } },
    });
  });
  it('names a row with more cells than the header', () => {
    expect(tooManyCells(['a', 'b', 'c'], 2)).toBe('quá nhiều cột (3; nhiều nhất 2)');
    expect(tooManyCells(['a', 'b'], 2)).toBeNull();
  });
});
