import { describe, expect, it } from 'vitest';
import { createSourceBudget } from '../../src/workers/intake.ts';

const sixBytes = Buffer.from('abcdef').toString('base64');

describe('the budget of mail sources in hand', () => {
  it('lets sources in while their bytes fit, and the next one when one is done', async () => {
    const budget = createSourceBudget(12);
    const first = await budget.take(sixBytes);
    const second = await budget.take(sixBytes);
    let thirdIn = false;
    const third = budget.take(sixBytes).then((source) => {
      thirdIn = true;
      return source;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect({ inHand: budget.inHand(), thirdIn }).toEqual({ inHand: 12, thirdIn: false });
    first.done();
    first.done();
    const taken = await third;
    expect({ inHand: budget.inHand(), raw: taken.raw.toString() }).toEqual({ inHand: 12, raw: 'abcdef' });
    second.done();
    taken.done();
    expect(budget.inHand()).toBe(0);
  });

  it('lets a source larger than the whole budget in alone, rather than never', async () => {
    const budget = createSourceBudget(4);
    const large = await budget.take(sixBytes);
    expect(large.raw.length).toBe(6);
    let smallIn = false;
    const small = budget.take(Buffer.from('ab').toString('base64')).then((source) => {
      smallIn = true;
      return source;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(smallIn).toBe(false);
    large.done();
    (await small).done();
    expect(budget.inHand()).toBe(0);
  });
});
