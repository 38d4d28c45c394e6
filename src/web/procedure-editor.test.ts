import { describe, expect, it } from 'vitest';
import { demoProcedures } from '../db/demo/catalogue.ts';
import { ProcedureDefinition } from '../modules/procedures/procedures.schemas.ts';
import { definitionToValues, filledRows, inputIdOfPath, rowCount, valuesFromBody, valuesToDefinition } from './procedure-editor.ts';

/** Checkbox groups are sets: the editor lists them in its own order. */
const sets = (d: Record<string, unknown>) => ({
  ...d,
  channels: [...(d.channels as string[])].sort(),
  applicantTypes: [...(d.applicantTypes as string[])].sort(),
  receivingAgencyCodes: [...(d.receivingAgencyCodes as string[])].sort(),
});

const AGENCIES = [...new Set(demoProcedures.flatMap((p) => [p.competentAgencyCode, ...p.receivingAgencyCodes]))];

describe('procedure editor form ↔ definition', () => {
  it('round-trips every demo procedure through the form values unchanged', () => {
    for (const demo of demoProcedures) {
      const { code: _code, ...rest } = demo;
      const def = ProcedureDefinition.parse(rest);
      const values = definitionToValues(def);
      // A browser sends the form back: blank rows added by the page are dropped again.
      values['rows.form'] = String(def.form.length + 3);
      const { input } = valuesToDefinition(values, AGENCIES);
      expect(sets(ProcedureDefinition.parse(input)), demo.code).toEqual(sets(def));
    }
  });

  it('drops blank rows, keeps the original row numbers for error messages, and converts numbers and options', () => {
    const values = valuesFromBody({
      name: '  Thủ tục  ',
      'rows.form': '4',
      'form.0.key': 'a',
      'form.0.label': 'A',
      'form.0.type': 'text',
      'form.1.type': 'text',
      'form.2.key': 'b',
      'form.2.label': 'B',
      'form.2.type': 'select',
      'form.2.options': 'x | Lựa chọn X\ny',
      'form.2.min': '1,5',
      'form.2.required': 'on',
      'wf.0.share': 'abc',
      'bad key!': 'ignored',
      csrf: ['t1', 't2'],
    });
    expect(values.name).toBe('Thủ tục');
    expect(values['bad key!']).toBeUndefined();
    expect(values.csrf).toBe('t1');
    expect(rowCount(values, 'form')).toBe(4);
    expect(filledRows(values, 'form')).toEqual([0, 2]);
    const { input, rowOf } = valuesToDefinition(values, []);
    expect(input.form).toEqual([
      { key: 'a', label: 'A', type: 'text', required: false },
      { key: 'b', label: 'B', type: 'select', required: true, options: [{ value: 'x', label: 'Lựa chọn X' }, { value: 'y', label: 'y' }], min: 1.5 },
    ]);
    expect((input.workflow as { share: number }[])[0]!.share).toBeNaN();
    expect(inputIdOfPath('definition.form.1.options', rowOf)).toBe('p-form-2-options');
    expect(inputIdOfPath('definition.form.1.nonsense', rowOf)).toBe('p-form-2-key');
    expect(inputIdOfPath('definition.workflow', rowOf)).toBe('sec-wf');
    expect(inputIdOfPath('definition.duration.value', rowOf)).toBe('p-durationValue');
    expect(inputIdOfPath('definition.name', rowOf)).toBe('p-name');
  });

  it('takes checkbox groups from one name per choice and only known agencies', () => {
    const { input } = valuesToDefinition({ 'recv.A': 'on', 'recv.Z': 'on', 'channel.online': 'on', 'channel.post': '', 'applicant.organisation': 'on' }, ['A', 'B']);
    expect(input.receivingAgencyCodes).toEqual(['A']);
    expect(input.channels).toEqual(['online']);
    expect(input.applicantTypes).toEqual(['organisation']);
  });
});
