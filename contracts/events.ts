import { defineEvent } from '#platform/events';

/**
 * Every event type the subgraphs exchange, each defined once. Payloads carry ids plus only what a
 * consumer needs to decide; bump the version when a payload changes incompatibly. Checkout events
 * all have the order as their aggregate, so one order's events are handled in order.
 */
export interface Money {
  amount: number;
  currency: string;
}

export interface OrderLine {
  productId: string;
  quantity: number;
}

export const AccountEvents = {
  /**
   * A session ended (logout, or a reused refresh token): its refresh tokens are revoked, and every
   * gateway refuses its access tokens from now on. Also returned to the gateway with the answer.
   */
  sessionEnded: defineEvent<{ sessionId: string; userId: string; reason: 'logout' | 'refresh-token-reused' }>('accounts.session.ended', 1, 'Session'),
};

export const CatalogEvents = {
  productCreated: defineEvent<{ productId: string; sku: string; name: string; price: Money }>('catalog.product.created', 1, 'Product'),
};

export const OrderEvents = {
  /** A customer placed an order; inventory reserves it, payments learns what to charge. */
  placed: defineEvent<{ orderId: string; customerId: string; lines: OrderLine[]; total: Money }>('orders.order.placed', 1, 'Order'),
  confirmed: defineEvent<{ orderId: string; customerId: string }>('orders.order.confirmed', 1, 'Order'),
  /**
   * Cancelled by the saga (short stock, declined payment) or on request (customer or shop: `requested`);
   * undo what was done.
   */
  cancelled: defineEvent<{ orderId: string; customerId: string; reason: string; requested: boolean; total: Money }>('orders.order.cancelled', 1, 'Order'),
  shipped: defineEvent<{ orderId: string; customerId: string }>('orders.order.shipped', 1, 'Order'),
  delivered: defineEvent<{ orderId: string; customerId: string }>('orders.order.delivered', 1, 'Order'),
};

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

export const InventoryEvents = {
  /** Every line of an order is held; `total` and `customerId` pass through for payments. */
  reserved: defineEvent<{ orderId: string; customerId: string; lines: OrderLine[]; total: Money }>('inventory.stock.reserved', 1, 'Order'),
  reservationFailed: defineEvent<{ orderId: string; shortages: Shortage[] }>('inventory.stock.reservation_failed', 1, 'Order'),
  released: defineEvent<{ orderId: string; lines: OrderLine[] }>('inventory.stock.released', 1, 'Order'),
  committed: defineEvent<{ orderId: string; lines: OrderLine[] }>('inventory.stock.committed', 1, 'Order'),
  adjusted: defineEvent<{ productId: string; delta: number; available: number; reserved: number }>('inventory.stock.adjusted', 1, 'Stock'),
};

export const PaymentEvents = {
  captured: defineEvent<{ orderId: string; customerId: string; paymentId: string; amount: Money }>('payments.payment.captured', 1, 'Order'),
  failed: defineEvent<{ orderId: string; customerId: string; paymentId: string; reason: string }>('payments.payment.failed', 1, 'Order'),
  /**
   * Payments decided to give a captured payment back (its order was cancelled, or the charge landed
   * after the cancellation): written with that decision, in its transaction, and handled by payments'
   * own consumer, which makes the refund at the provider; a crash in between leaves the event to be
   * relayed or redelivered after restart, never a refund forgotten.
   */
  refundRequested: defineEvent<{ orderId: string; customerId: string; paymentId: string; amount: Money }>('payments.payment.refund_requested', 1, 'Order'),
  refunded: defineEvent<{ orderId: string; customerId: string; paymentId: string; amount: Money }>('payments.payment.refunded', 1, 'Order'),
};

export const ShipmentEvents = {
  created: defineEvent<{ orderId: string; shipmentId: string; customerId: string; carrier: string; trackingNumber: string }>('shipping.shipment.created', 1, 'Order'),
  shipped: defineEvent<{ orderId: string; shipmentId: string; customerId: string }>('shipping.shipment.shipped', 1, 'Order'),
  inTransit: defineEvent<{ orderId: string; shipmentId: string; customerId: string }>('shipping.shipment.in_transit', 1, 'Order'),
  delivered: defineEvent<{ orderId: string; shipmentId: string; customerId: string }>('shipping.shipment.delivered', 1, 'Order'),
  cancelled: defineEvent<{ orderId: string; shipmentId: string; customerId: string }>('shipping.shipment.cancelled', 1, 'Order'),
};
