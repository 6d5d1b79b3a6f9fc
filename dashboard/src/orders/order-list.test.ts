import { describe, expect, it } from 'vitest';
import { OrderList, type OrderRow } from './order-list';

function order(id: string, status: OrderRow['status'], createdAt = '2026-11-01T10:00:00.000Z'): OrderRow {
  return { id, status, createdAt, customer: { email: 'alice@acme.test' }, total: { amount: 1999, currency: 'USD' }, items: [{ quantity: 1, product: { name: 'Blue Mug' } }] };
}

describe('the live orders list', () => {
  it('puts a new order from the live feed first, newest first', () => {
    const list = new OrderList();
    list.applyPage([order('b', 'DELIVERED', '2026-11-02T10:00:00.000Z'), order('a', 'CONFIRMED', '2026-11-01T10:00:00.000Z')], list.queryStarted());
    list.applyLive(order('c', 'PENDING', '2026-11-03T10:00:00.000Z'));
    expect(list.sorted().map((o) => o.id)).toEqual(['c', 'b', 'a']);
  });

  it('changes an order in place when its status changes, without duplicating it', () => {
    const list = new OrderList();
    list.applyLive(order('c', 'PENDING'));
    list.applyLive(order('c', 'CONFIRMED'));
    expect(list.sorted()).toHaveLength(1);
    expect(list.sorted()[0]!.status).toBe('CONFIRMED');
  });

  it('never moves a status backwards when an older state arrives later', () => {
    const list = new OrderList();
    list.applyLive(order('c', 'SHIPPED'));
    list.applyLive(order('c', 'CONFIRMED'));
    list.applyPage([order('c', 'PENDING')], 0);
    expect(list.sorted()[0]!.status).toBe('SHIPPED');
    list.applyLive(order('x', 'CANCELLED'));
    list.applyLive(order('x', 'CONFIRMED'));
    expect(list.sorted().find((o) => o.id === 'x')!.status).toBe('CANCELLED');
  });

  it('keeps a live state over a page that was read before it arrived', () => {
    const list = new OrderList();
    const started = list.queryStarted();
    // the subscription's snapshot and the query race: the snapshot arrives first
    list.applyLive(order('c', 'CONFIRMED'));
    list.applyPage([order('c', 'CONFIRMED'), order('d', 'PENDING')], started);
    expect(list.sorted().map((o) => [o.id, o.status])).toEqual([
      ['d', 'PENDING'],
      ['c', 'CONFIRMED'],
    ]);
  });

  it('filters by status without forgetting the others', () => {
    const list = new OrderList();
    list.applyPage([order('a', 'CONFIRMED'), order('b', 'CANCELLED')], 0);
    expect(list.sorted('CANCELLED').map((o) => o.id)).toEqual(['b']);
    expect(list.size).toBe(2);
  });
});
