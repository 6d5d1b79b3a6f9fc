import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogEvents, OrderEvents, type OrderLine } from '#contracts';
import type { InventoryData } from '../../../subgraphs/inventory/src/context.js';
import type { InventoryServices } from '../../../subgraphs/inventory/src/services/index.js';
import { refusalOf } from '../../harness/errors.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let inventory: ServiceHarness<InventoryData, InventoryServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const globexAdmin = identityOf(GLOBEX, 'ADMIN');

beforeAll(async () => {
  inventory = await serviceHarness<InventoryData, InventoryServices>('inventory');
});

afterAll(async () => {
  await inventory.close();
});

/** A product of its own for a test: announced by the catalog, then stocked by an admin. */
async function productWith(available: number, productId: string = randomUUID()): Promise<string> {
  await inventory.deliver(CatalogEvents.productCreated, { tenantId: ACME.id, aggregateId: productId, payload: { productId, sku: `S-${productId.slice(0, 8)}`, name: 'Test product', price: { amount: 100, currency: 'USD' } } });
  if (available > 0) await inventory.services.stock.adjust(inventory.as(acmeAdmin), productId, available, 'Opening stock');
  return productId;
}

const levels = async (...productIds: string[]) => {
  const rows = await inventory.sql<{ productId: string; available: number; reserved: number }>(
    `SELECT "productId", "available", "reserved" FROM "inventory"."StockItem" WHERE "productId" = ANY($1::uuid[])`, productIds,
  );
  return productIds.map((id) => {
    const row = rows.find((r) => r.productId === id);
    return row ? { available: row.available, reserved: row.reserved } : null;
  });
};
const reservationOf = async (orderId: string) =>
  (await inventory.sql<{ status: string; lines: OrderLine[]; reason: string | null }>(`SELECT "status", "lines", "reason" FROM "inventory"."Reservation" WHERE "orderId" = $1`, orderId))[0];
const movementsOf = (orderId: string) =>
  inventory.sql<{ productId: string; kind: string; availableDelta: number; reservedDelta: number; reason: string }>(
    `SELECT "productId", "kind", "availableDelta", "reservedDelta", "reason" FROM "inventory"."StockMovement" WHERE "orderId" = $1 ORDER BY "createdAt", "productId"`, orderId,
  );
const eventsOf = async (type: string, aggregateId: string) => (await inventory.outbox(type)).filter((e) => e.aggregateId === aggregateId);

const place = (lines: OrderLine[], orderId: string = randomUUID()) =>
  inventory.deliver(OrderEvents.placed, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, lines, total: { amount: 4200, currency: 'USD' } } });
const cancel = (orderId: string) =>
  inventory.deliver(OrderEvents.cancelled, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, reason: 'Cancelled by the customer', requested: true, total: { amount: 4200, currency: 'USD' } } });
const confirm = (orderId: string) => inventory.deliver(OrderEvents.confirmed, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId } });

describe('ReservationService.reserve (orders.order.placed)', () => {
  it('holds every line, records each in the ledger, and passes the total and customer on to payments', async () => {
    const [a, b] = [await productWith(5), await productWith(5)];
    const placed = await place([{ productId: a, quantity: 2 }, { productId: b, quantity: 5 }]);
    const { orderId } = placed.payload;
    expect(await levels(a, b)).toEqual([{ available: 3, reserved: 2 }, { available: 0, reserved: 5 }]);
    expect(await reservationOf(orderId)).toMatchObject({ status: 'RESERVED', reason: null });
    expect((await movementsOf(orderId)).map((m) => [m.productId, m.kind, m.availableDelta, m.reservedDelta]).sort()).toEqual(
      [[a, 'RESERVATION', -2, 2], [b, 'RESERVATION', -5, 5]].sort(),
    );
    const [reserved] = await eventsOf('inventory.stock.reserved', orderId);
    expect(reserved!.payload).toMatchObject({ orderId, customerId: alice.userId, total: { amount: 4200, currency: 'USD' } });
  });

  it('takes the lines in product order, whatever order they came in', async () => {
    const ids = [await productWith(3), await productWith(3), await productWith(3)];
    const sorted = [...ids].sort();
    const lines = [...sorted].reverse().map((productId) => ({ productId, quantity: 1 }));
    const { payload } = await place(lines);
    expect((await reservationOf(payload.orderId))!.lines.map((l) => l.productId)).toEqual(sorted);
    const [reserved] = await eventsOf('inventory.stock.reserved', payload.orderId);
    expect((reserved!.payload.lines as OrderLine[]).map((l) => l.productId)).toEqual(sorted);
  });

  it('holds nothing when one line is short: gives back what it held, marks the reservation FAILED and names the shortage', async () => {
    // The plentiful line sorts first, so it is held before the short one is found.
    const [first, second] = [randomUUID(), randomUUID()].sort();
    const [plenty, scarce] = [await productWith(10, first), await productWith(1, second)];
    const missing = randomUUID();
    const { payload } = await place([{ productId: plenty, quantity: 4 }, { productId: scarce, quantity: 3 }, { productId: missing, quantity: 1 }]);
    expect(await levels(plenty, scarce)).toEqual([{ available: 10, reserved: 0 }, { available: 1, reserved: 0 }]);
    expect(await reservationOf(payload.orderId)).toMatchObject({ status: 'FAILED' });
    expect(await movementsOf(payload.orderId)).toEqual([]);
    expect(await eventsOf('inventory.stock.reserved', payload.orderId)).toEqual([]);
    const [failed] = await eventsOf('inventory.stock.reservation_failed', payload.orderId);
    expect((failed!.payload.shortages as unknown[]).length).toBe(2);
    expect(failed!.payload.shortages).toEqual(expect.arrayContaining([
      { productId: scarce, requested: 3, available: 1 },
      { productId: missing, requested: 1, available: 0 },
    ]));
  });

  it('gives the last unit to one of two orders that race for it', async () => {
    const last = await productWith(1);
    const [first, second] = await Promise.all([place([{ productId: last, quantity: 1 }]), place([{ productId: last, quantity: 1 }])]);
    const statuses = [(await reservationOf(first.payload.orderId))!.status, (await reservationOf(second.payload.orderId))!.status];
    expect(statuses.sort()).toEqual(['FAILED', 'RESERVED']);
    expect(await levels(last)).toEqual([{ available: 0, reserved: 1 }]);
  });

  it('has one effect when the same event comes twice, and when another placed event names an order it already handled', async () => {
    const product = await productWith(6);
    const placed = await place([{ productId: product, quantity: 2 }]);
    await inventory.redeliver(placed);
    await place([{ productId: product, quantity: 2 }], placed.payload.orderId);
    expect(await levels(product)).toEqual([{ available: 4, reserved: 2 }]);
    expect(await eventsOf('inventory.stock.reserved', placed.payload.orderId)).toHaveLength(1);
  });
});

describe('ReservationService.release (orders.order.cancelled)', () => {
  it('gives held units of a cancelled order back to available, once', async () => {
    const product = await productWith(5);
    const { payload } = await place([{ productId: product, quantity: 3 }]);
    const cancelled = await cancel(payload.orderId);
    await inventory.redeliver(cancelled);
    await cancel(payload.orderId);
    expect(await levels(product)).toEqual([{ available: 5, reserved: 0 }]);
    expect(await reservationOf(payload.orderId)).toMatchObject({ status: 'RELEASED' });
    expect((await movementsOf(payload.orderId)).filter((m) => m.kind === 'RELEASE')).toEqual([
      { productId: product, kind: 'RELEASE', availableDelta: 3, reservedDelta: -3, reason: 'Order cancelled: reservation released' },
    ]);
    expect((await eventsOf('inventory.stock.released', payload.orderId)).map((e) => e.payload)).toEqual([{ orderId: payload.orderId, lines: [{ productId: product, quantity: 3 }] }]);
  });

  it('restocks the units a confirmed order took out when it is cancelled before shipping, once', async () => {
    const product = await productWith(5);
    const { payload } = await place([{ productId: product, quantity: 2 }]);
    await confirm(payload.orderId);
    expect(await levels(product)).toEqual([{ available: 3, reserved: 0 }]);
    await cancel(payload.orderId);
    await cancel(payload.orderId);
    expect(await levels(product)).toEqual([{ available: 5, reserved: 0 }]);
    expect((await movementsOf(payload.orderId)).filter((m) => m.kind === 'RELEASE')).toEqual([
      { productId: product, kind: 'RELEASE', availableDelta: 2, reservedDelta: 0, reason: 'Order cancelled before shipping: restocked' },
    ]);
  });

  it('changes nothing for an order whose reservation failed, or of which it knows nothing', async () => {
    const product = await productWith(1);
    const { payload } = await place([{ productId: product, quantity: 2 }]);
    await cancel(payload.orderId);
    const unknown = randomUUID();
    await cancel(unknown);
    expect(await levels(product)).toEqual([{ available: 1, reserved: 0 }]);
    expect(await reservationOf(payload.orderId)).toMatchObject({ status: 'FAILED' });
    expect([...(await eventsOf('inventory.stock.released', payload.orderId)), ...(await eventsOf('inventory.stock.released', unknown))]).toEqual([]);
  });
});

describe('ReservationService.commit (orders.order.confirmed)', () => {
  it('takes the held units out of stock for good, once however often the order is confirmed', async () => {
    const product = await productWith(4);
    const { payload } = await place([{ productId: product, quantity: 3 }]);
    const confirmed = await confirm(payload.orderId);
    await inventory.redeliver(confirmed);
    await confirm(payload.orderId);
    expect(await levels(product)).toEqual([{ available: 1, reserved: 0 }]);
    expect(await reservationOf(payload.orderId)).toMatchObject({ status: 'COMMITTED' });
    expect((await movementsOf(payload.orderId)).filter((m) => m.kind === 'COMMIT')).toEqual([
      { productId: product, kind: 'COMMIT', availableDelta: 0, reservedDelta: -3, reason: 'Order confirmed' },
    ]);
    expect(await eventsOf('inventory.stock.committed', payload.orderId)).toHaveLength(1);
  });

  it('does not commit an order whose units were already released', async () => {
    const product = await productWith(4);
    const { payload } = await place([{ productId: product, quantity: 3 }]);
    await cancel(payload.orderId);
    await confirm(payload.orderId);
    expect(await levels(product)).toEqual([{ available: 4, reserved: 0 }]);
    expect(await reservationOf(payload.orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await eventsOf('inventory.stock.committed', payload.orderId)).toEqual([]);
  });
});

describe('StockService.adjust', () => {
  it('changes available units, writes the ledger with who and why, and announces the new levels', async () => {
    const product = await productWith(0);
    const stock = await inventory.services.stock.adjust(inventory.as(acmeAdmin), product.toUpperCase(), 7, '  Delivery from the supplier ');
    expect(stock).toMatchObject({ productId: product, available: 7, reserved: 0 });
    const ledger = await inventory.sql(`SELECT "kind", "availableDelta", "reservedDelta", "reason", "actorId" FROM "inventory"."StockMovement" WHERE "productId" = $1`, product);
    expect(ledger).toEqual([{ kind: 'ADJUSTMENT', availableDelta: 7, reservedDelta: 0, reason: 'Delivery from the supplier', actorId: acmeAdmin.userId }]);
    expect((await eventsOf('inventory.stock.adjusted', product)).map((e) => e.payload)).toEqual([{ productId: product, delta: 7, available: 7, reserved: 0 }]);
  });

  it('refuses to take stock below zero with INSUFFICIENT_STOCK, saying how many there are, and changes nothing', async () => {
    const product = await productWith(2);
    const before = { ledger: await inventory.sql(`SELECT "id" FROM "inventory"."StockMovement" WHERE "productId" = $1`, product), events: await eventsOf('inventory.stock.adjusted', product) };
    expect(await refusalOf(inventory.services.stock.adjust(inventory.as(acmeAdmin), product, -3, 'Broken in the warehouse'))).toMatchObject({
      code: 'INSUFFICIENT_STOCK', field: 'delta', available: 2, delta: -3,
    });
    expect(await levels(product)).toEqual([{ available: 2, reserved: 0 }]);
    expect(await inventory.sql(`SELECT "id" FROM "inventory"."StockMovement" WHERE "productId" = $1`, product)).toEqual(before.ledger);
    expect(await eventsOf('inventory.stock.adjusted', product)).toEqual(before.events);
  });

  it('counts held units as not available: an adjustment cannot take them', async () => {
    const product = await productWith(3);
    await place([{ productId: product, quantity: 2 }]);
    expect(await refusalOf(inventory.services.stock.adjust(inventory.as(acmeAdmin), product, -2, 'Stocktake'))).toMatchObject({ code: 'INSUFFICIENT_STOCK', available: 1 });
    expect(await levels(product)).toEqual([{ available: 1, reserved: 2 }]);
  });

  it('refuses a zero, fractional or huge delta, an empty reason and a product id that is no id, naming the argument', async () => {
    const product = await productWith(1);
    const fieldOf = async (productId: string, delta: number, reason: string) => {
      const refusal = await refusalOf(inventory.services.stock.adjust(inventory.as(acmeAdmin), productId, delta, reason));
      return [refusal.code, refusal.field];
    };
    expect(await fieldOf(product, 0, 'Nothing')).toEqual(['BAD_USER_INPUT', 'delta']);
    expect(await fieldOf(product, 1.5, 'Half')).toEqual(['BAD_USER_INPUT', 'delta']);
    expect(await fieldOf(product, 1_000_001, 'Too many')).toEqual(['BAD_USER_INPUT', 'delta']);
    expect(await fieldOf(product, 1, '   ')).toEqual(['BAD_USER_INPUT', 'reason']);
    expect(await fieldOf(product, 1, 'r'.repeat(501))).toEqual(['BAD_USER_INPUT', 'reason']);
    expect(await fieldOf('blue-mug', 1, 'Restock')).toEqual(['BAD_USER_INPUT', 'productId']);
    expect(await levels(product)).toEqual([{ available: 1, reserved: 0 }]);
  });

  it("refuses customers, and finds no product of another tenant's to adjust", async () => {
    const product = await productWith(2);
    expect(await refusalOf(inventory.services.stock.adjust(inventory.as(alice), product, 5, 'Free stock'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusalOf(inventory.services.stock.adjust(inventory.as(globexAdmin), product, 5, 'Not ours'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusalOf(inventory.services.stock.adjust(inventory.as(acmeAdmin), randomUUID(), 5, 'Unknown'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await levels(product)).toEqual([{ available: 2, reserved: 0 }]);
  });
});

describe('StockService reads', () => {
  it('opens an empty stock record for a new catalog product, once', async () => {
    const productId = randomUUID();
    const created = { tenantId: ACME.id, aggregateId: productId, payload: { productId, sku: 'NEW', name: 'New', price: { amount: 1, currency: 'USD' } } };
    await inventory.deliver(CatalogEvents.productCreated, created);
    await inventory.services.stock.adjust(inventory.as(acmeAdmin), productId, 4, 'First delivery');
    await inventory.deliver(CatalogEvents.productCreated, created);
    expect(await levels(productId)).toEqual([{ available: 4, reserved: 0 }]);
  });

  it("shows nothing in stock for a product inventory has no record of, and for another tenant's product", async () => {
    const product = await productWith(9);
    expect(await inventory.services.stock.forProduct(inventory.as(alice), product)).toMatchObject({ available: 9 });
    expect(await inventory.services.stock.forProduct(inventory.as(globexAdmin), product)).toMatchObject({ productId: product, available: 0, reserved: 0 });
    expect(await inventory.services.stock.byReference(inventory.as(globexAdmin), product)).toBeNull();
    expect(await inventory.services.stock.forProduct(inventory.as(alice), randomUUID())).toMatchObject({ available: 0, reserved: 0 });
  });

  it("lists an admin's low stock, fewest first, of their own tenant only", async () => {
    const low = await inventory.services.stock.lowStock(inventory.as(acmeAdmin), 4);
    expect(low.length).toBeGreaterThan(0);
    expect(low.every((s) => s.available < 4 && s.tenantId === ACME.id)).toBe(true);
    expect(low.map((s) => s.available)).toEqual([...low.map((s) => s.available)].sort((a, b) => a - b));
    expect(await inventory.services.stock.lowStock(inventory.as(acmeAdmin), 0)).toEqual([]);
  });

  it('refuses a low-stock threshold that is negative, fractional or huge, and customers', async () => {
    for (const threshold of [-1, 2.5, 1_000_001]) {
      expect(await refusalOf(inventory.services.stock.lowStock(inventory.as(acmeAdmin), threshold))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'threshold' });
    }
    expect(await refusalOf(inventory.services.stock.lowStock(inventory.as(alice), 5))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
