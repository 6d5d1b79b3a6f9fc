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
   * Reserves every line or none, in one conditional statement (never read-then-write) that locks
   * the lines' rows in product order, so concurrent orders cannot deadlock, and writes the ledger.
   * The same statement writes the reservation row first: an order that already has one (a second
   * `placed`) changes nothing.
   */
  async reserve(tx: InventoryTransaction, event: EventEnvelope<{ orderId: string; customerId: string; lines: OrderLine[]; total: { amount: number; currency: string } }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const { stock, reservations } = tx.repos;
    const lines = [...event.payload.lines].sort((a, b) => a.productId.localeCompare(b.productId));
    const { created, reserved } = await stock.reserveAllForOrder(lines, { orderId, reason: 'Reserved for an order' });
    if (!created) return;
    const fields = { tenantId: tx.tenantId, aggregateId: orderId, traceparent: event.traceparent };
    if (!reserved) {
      const available = new Map((await stock.findByProductIds(lines.map((l) => l.productId))).map((s) => [s.productId, s.available]));
      const shortages: Shortage[] = lines
        .map((line) => ({ productId: line.productId, requested: line.quantity, available: available.get(line.productId) ?? 0 }))
        .filter((s) => s.available < s.requested);
      await reservations.mark(orderId, 'FAILED', `short: ${shortages.map((s) => s.productId).join(', ')}`);
      await tx.emit(createEvent(InventoryEvents.reservationFailed, { ...fields, payload: { orderId, shortages } }));
      return;
    }
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
    const lines = await tx.repos.stock.commitReservation({ orderId, reason: 'Order confirmed' });
    if (!lines) return;
    await tx.emit(createEvent(InventoryEvents.committed, { tenantId: tx.tenantId, aggregateId: orderId, traceparent: source.traceparent, payload: { orderId, lines } }));
  }
}
