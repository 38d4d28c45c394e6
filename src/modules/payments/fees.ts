/**
 * Fee calculation (pure). A procedure version publishes its fee schedule: each line is a fixed
 * amount, or an amount per unit of a number field of the form (copies, pages...). Amounts are
 * integer đồng; the total is what a payment request asks for.
 */
export interface FeeLine {
  code: string;
  name: string;
  amount: number;
  perFormField?: string | undefined;
}

export interface ComputedFeeLine {
  code: string;
  name: string;
  unitAmount: number;
  quantity: number;
  amount: number;
}

export interface ComputedFees {
  total: number;
  lines: ComputedFeeLine[];
}

/**
 * Why the fees cannot be computed: `not_whole_units`, the answer to `field` (the form field a fee is
 * counted by) is not a whole number of units, 0 or more; `total_too_large`, the total is beyond the
 * integers JavaScript computes exactly (`field` is then `fees`).
 */
export type FeeProblem = 'not_whole_units' | 'total_too_large';

export class FeeError extends Error {
  constructor(
    readonly reason: FeeProblem,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FeeError';
  }
}

/** The quantity a per-field fee is multiplied by: the form's answer, a whole number ≥ 0 (absent = 0). */
function quantityOf(form: Record<string, unknown>, field: string): number {
  const v = form[field];
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new FeeError('not_whole_units', field, `the answer to ${field} is not a whole number of units`);
  return n;
}

/** Computes the fees due for a dossier from its procedure version's schedule and its form answers. */
export function computeFees(schedule: readonly FeeLine[], form: Record<string, unknown>): ComputedFees {
  const lines = schedule.map((f) => {
    const quantity = f.perFormField ? quantityOf(form, f.perFormField) : 1;
    return { code: f.code, name: f.name, unitAmount: f.amount, quantity, amount: f.amount * quantity };
  });
  const total = lines.reduce((a, l) => a + l.amount, 0);
  if (!Number.isSafeInteger(total)) throw new FeeError('total_too_large', 'fees', 'the total is too large');
  return { total, lines };
}
