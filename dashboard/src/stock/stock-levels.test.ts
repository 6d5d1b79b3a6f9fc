import { describe, expect, it } from 'vitest';
import { StockLevels } from './stock-levels';

const mug = { productId: 'p1', name: 'Blue Mug', sku: 'KIT-MUG-BLU' };

describe('the live stock levels', () => {
  it('takes each live level as it comes', () => {
    const levels = new StockLevels();
    levels.applyRead([{ ...mug, available: 1, reserved: 0 }], levels.requestStarted());
    levels.applyLive({ productId: 'p1', name: 'Blue Mug', available: 0, reserved: 1 });
    expect(levels.get('p1')).toEqual({ ...mug, available: 0, reserved: 1 });
  });

  it('keeps a live level over a read that was sent before it arrived', () => {
    const levels = new StockLevels();
    const sent = levels.requestStarted();
    levels.applyLive({ productId: 'p1', name: 'Blue Mug', available: 11, reserved: 0 });
    levels.applyRead([{ ...mug, available: 1, reserved: 0 }], sent);
    expect(levels.get('p1')!.available).toBe(11);
    expect(levels.get('p1')!.sku).toBeUndefined();
    levels.applyRead([{ ...mug, available: 11, reserved: 0 }], levels.requestStarted());
    expect(levels.get('p1')!.sku).toBe('KIT-MUG-BLU');
  });

  it('lists the products below a threshold, fewest first', () => {
    const levels = new StockLevels();
    levels.applyRead(
      [
        { productId: 'a', name: 'A', available: 4, reserved: 0 },
        { productId: 'b', name: 'B', available: 0, reserved: 2 },
        { productId: 'c', name: 'C', available: 40, reserved: 0 },
      ],
      0,
    );
    expect(levels.low(5).map((l) => l.productId)).toEqual(['b', 'a']);
  });
});
