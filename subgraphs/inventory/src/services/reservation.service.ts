import { InventoryEvents, type OrderLine, type Shortage } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { InventoryTransaction } from '../context.js';
import { linesOf } from '../repositories/reservation.repository.js';

/**
 * Inventory's part of the checkout saga. Runs inside the consumer's transaction (event id claimed),
 * so reserving, recording and emitting commit together.
 */
export class ReservationService {
  /**
   * Reserves every line or none. Each line is one conditional update (never read-then-write), in
   * product order so concurrent orders lock rows in the same order; if any line is short, the lines
   * already held are given back in the same transaction.
   */
  async reserve(tx: InventoryTransaction, event: EventEnvelope<{ orderId: string; customerId: string; lines: OrderLine[]; total: { amount: number; currency: string } }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const { stock, reservations } = tx.repos;
    if (await reservations.findByOrderId(orderId)) return;
    const lines = [...event.payload.lines].sort((a, b) => a.productId.localeCompare(b.productId));
    const held: OrderLine[] = [];
    const shortages: Shortage[] = [];
    for (const line of lines) {
      if (await stock.reserve(line.productId, line.quantity)) held.push(line);
      else {
        const [current] = await stock.findByProductIds([line.productId]);
        shortages.push({ productId: line.productId, requested: line.quantity, available: current?.available ?? 0 });
      }
    }
    const fields = { tenantId: tx.tenantId, aggregateId: orderId, traceparent: event.traceparent };
    if (shortages.length) {
      for (const line of held) await stock.unreserve(line.productId, line.quantity);
      await reservations.create(orderId, 'FAILED', lines, `short: ${shortages.map((s) => s.productId).join(', ')}`);
      await tx.emit(createEvent(InventoryEvents.reservationFailed, { ...fields, payload: { orderId, shortages } }));
      return;
    }
    for (const line of lines) {
      await stock.recordMovement({ productId: line.productId, kind: 'RESERVATION', availableDelta: -line.quantity, reservedDelta: line.quantity, reason: 'Reserved for an order', actorId: null, orderId });
    }
    await reservations.create(orderId, 'RESERVED', lines, null);
    await tx.emit(createEvent(InventoryEvents.reserved, { ...fields, payload: { orderId, customerId, lines, total } }));
  }

  /**
   * A cancelled order gives its units back, once: held units (RESERVED) return from reserved to
   * available; units already taken out for a confirmed order (COMMITTED, not shipped) are restocked.
   */
  async release(tx: InventoryTransaction, orderId: string, source: EventEnvelope): Promise<void> {
    const { stock, reservations } = tx.repos;
    const reservation = await reservations.findByOrderId(orderId);
    if (!reservation) return;
    const wasHeld = reservation.status === 'RESERVED';
    if (!(await reservations.move(orderId, reservation.status === 'COMMITTED' ? 'COMMITTED' : 'RESERVED', 'RELEASED'))) return;
    const lines = linesOf(reservation);
    for (const line of lines) {
      if (wasHeld) await stock.unreserve(line.productId, line.quantity);
      else await stock.addAvailable(line.productId, line.quantity);
      await stock.recordMovement({
        productId: line.productId, kind: 'RELEASE', availableDelta: line.quantity, reservedDelta: wasHeld ? -line.quantity : 0,
        reason: wasHeld ? 'Order cancelled: reservation released' : 'Order cancelled before shipping: restocked', actorId: null, orderId,
      });
    }
    await tx.emit(createEvent(InventoryEvents.released, { tenantId: tx.tenantId, aggregateId: orderId, traceparent: source.traceparent, payload: { orderId, lines } }));
  }

  /** A confirmed order takes its held units out of stock for good. */
  async commit(tx: InventoryTransaction, orderId: string, source: EventEnvelope): Promise<void> {
    const { stock, reservations } = tx.repos;
    const reservation = await reservations.findByOrderId(orderId);
    if (!reservation || !(await reservations.move(orderId, 'RESERVED', 'COMMITTED'))) return;
    const lines = linesOf(reservation);
    for (const line of lines) {
      await stock.commitReserved(line.productId, line.quantity);
      await stock.recordMovement({ productId: line.productId, kind: 'COMMIT', availableDelta: 0, reservedDelta: -line.quantity, reason: 'Order confirmed', actorId: null, orderId });
    }
    await tx.emit(createEvent(InventoryEvents.committed, { tenantId: tx.tenantId, aggregateId: orderId, traceparent: source.traceparent, payload: { orderId, lines } }));
  }
}
