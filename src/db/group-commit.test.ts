import { describe, expect, it } from 'vitest';
import { GroupRunner, inKeyOrder } from './group-commit.ts';

/** A writer that records each group it is given and can be told to fail. */
function recorder(fail: (items: number[]) => boolean = () => false) {
  const groups: number[][] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  return {
    groups,
    /** Holds the next group until `open()`, so callers can queue behind it. */
    hold() {
      gate = new Promise((r) => (release = r));
    },
    open() {
      release?.();
      gate = null;
    },
    run: async (items: number[]) => {
      groups.push([...items]);
      if (gate) await gate;
      if (fail(items)) throw new Error(`failed ${items.join(',')}`);
      return items.map((i) => i * 10);
    },
  };
}

describe('GroupRunner', () => {
  it('writes a lone item at once, alone', async () => {
    const w = recorder();
    const c = new GroupRunner(w.run);
    expect(await c.add(1)).toBe(10);
    expect(w.groups).toEqual([[1]]);
  });

  it('groups the items that arrive while a group is being written, in arrival order, and answers each its own result', async () => {
    const w = recorder();
    const c = new GroupRunner(w.run);
    w.hold();
    const first = c.add(1);
    const rest = [2, 3, 4].map((i) => c.add(i));
    await Promise.resolve();
    w.open();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(w.groups).toEqual([[1], [2, 3, 4]]);
  });

  it('never writes more than maxGroup items at once', async () => {
    const w = recorder();
    const c = new GroupRunner(w.run, 2);
    w.hold();
    const all = [1, 2, 3, 4, 5].map((i) => c.add(i));
    w.open();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(w.groups).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('when a group fails, writes its items one by one: only the bad item fails', async () => {
    const w = recorder((items) => items.includes(3));
    const c = new GroupRunner(w.run);
    w.hold();
    const first = c.add(1);
    const rest = [2, 3, 4].map((i) =>
      c.add(i).then(
        (r) => ({ r }),
        (e: Error) => ({ e: e.message }),
      ),
    );
    w.open();
    await first;
    expect(await Promise.all(rest)).toEqual([{ r: 20 }, { e: 'failed 3' }, { r: 40 }]);
    expect(w.groups).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('keeps working after a failure', async () => {
    const w = recorder((items) => items.includes(1));
    const c = new GroupRunner(w.run);
    await expect(c.add(1)).rejects.toThrow('failed 1');
    expect(await c.add(2)).toBe(20);
  });
});

describe('inKeyOrder', () => {
  it('answers each key asked, in order, with its row or null (rows in any order, keys asked twice)', () => {
    const rows = [
      { k: 'c', v: 3 },
      { k: 'a', v: 1 },
    ];
    expect(inKeyOrder(['a', 'b', 'c', 'a'], rows, (r) => r.k)).toEqual([{ k: 'a', v: 1 }, null, { k: 'c', v: 3 }, { k: 'a', v: 1 }]);
    expect(inKeyOrder([], rows, (r) => r.k)).toEqual([]);
  });
});
