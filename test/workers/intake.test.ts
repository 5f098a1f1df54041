import { describe, expect, it } from 'vitest';
import { createSourceBudget } from '../../src/workers/intake.ts';

describe('the budget of mail sources in hand', () => {
  it('lets sources in while their bytes fit, and the next one when one is done', async () => {
    const budget = createSourceBudget(12);
    const first = await budget.take(6);
    const second = await budget.take(6);
    let thirdIn = false;
    const third = budget.take(6).then((release) => {
      thirdIn = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect({ inHand: budget.inHand(), thirdIn }).toEqual({ inHand: 12, thirdIn: false });
    first();
    // Released twice counts once.
    first();
    const releaseThird = await third;
    expect({ inHand: budget.inHand(), thirdIn }).toEqual({ inHand: 12, thirdIn: true });
    second();
    releaseThird();
    expect(budget.inHand()).toBe(0);
  });

  it('lets a source larger than the whole budget in alone, rather than never', async () => {
    const budget = createSourceBudget(4);
    const large = await budget.take(6);
    expect(budget.inHand()).toBe(6);
    let smallIn = false;
    const small = budget.take(2).then((release) => {
      smallIn = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(smallIn).toBe(false);
    large();
    (await small)();
    expect(budget.inHand()).toBe(0);
  });
});
