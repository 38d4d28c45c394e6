import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

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
