import type { Identity } from '#platform/auth';
import type { EntityChange } from './entity-changes.js';

/** A root field of `Subscription` the gateway serves: the entity it streams and which changes concern a subscriber. */
export interface SubscriptionField {
  /** The entity type the field returns; an event names one by its `id` key. */
  typename: string;
  /** From the field's arguments, the test of whether a change concerns the subscription. */
  filter(args: Record<string, unknown>): (change: EntityChange) => boolean;
  /** The entities a new subscription is first answered with, as they are at that moment (its arguments name them). */
  initial(args: Record<string, unknown>): string[];
  /**
   * What a subscription without named entities is first answered with when it passes `since`: a
   * query field of the same subgraph listing the entities (their `id`) the caller may see that
   * changed after it, least recently changed first.
   */
  changedSince?: { field: string; limit: number };
  /**
   * Entities a change already names behind the entity's fields (field name → its type and `id`), so
   * fetches that take only them can start with the entity fetch (EarlyFetch). A guess: the executor
   * uses an early answer only for the very request it would have sent, so a wrong one costs a fetch,
   * never a wrong result.
   */
  references(change: EntityChange): Readonly<Record<string, EntityRef>>;
}

/** An entity by its key. */
export interface EntityRef {
  typename: string;
  id: string;
}

/** Entities a subscription may name for its first answer (more are refused): more would make one subscribe message a fetch storm. */
export const MAX_INITIAL_ENTITIES = 100;

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

export const SUBSCRIPTION_FIELDS: Readonly<Record<string, SubscriptionField>> = {
  orderUpdated: {
    typename: 'Order',
    filter(args) {
      const id = lower(args.id);
      return id === undefined ? () => true : (change) => change.id === id;
    },
    initial(args) {
      const id = lower(args.id);
      return id === undefined ? [] : [id];
    },
    changedSince: { field: 'ordersChangedSince', limit: MAX_INITIAL_ENTITIES },
    // order, payment and shipment events name the order's customer (Order.customer)
    references: (change): Record<string, EntityRef> => (change.ownerId === undefined ? {} : { customer: { typename: 'User', id: change.ownerId } }),
  },
  stockChanged: {
    typename: 'Stock',
    filter(args) {
      if (!Array.isArray(args.productIds)) return () => true;
      const ids = new Set(args.productIds.map(lower).filter((id): id is string => id !== undefined));
      return (change) => ids.has(change.id);
    },
    initial(args) {
      if (!Array.isArray(args.productIds)) return [];
      return [...new Set(args.productIds.map(lower).filter((id): id is string => id !== undefined))];
    },
    // a stock record's id is its product's id (Stock.product)
    references: (change) => ({ product: { typename: 'Product', id: change.id } }),
  },
};

/**
 * Whether a change could be visible to the caller before anything is fetched: admins see their whole
 * tenant; customers their own orders. An order whose owner is unknown goes to the fetch, where the
 * orders subgraph decides (and returns null to a caller who may not see it).
 */
export function mayConcern(identity: Identity, change: EntityChange): boolean {
  if (change.tenantId !== identity.tenantId) return false;
  return identity.role === 'ADMIN' || change.ownerId === undefined || change.ownerId === identity.userId.toLowerCase();
}

/** Callers who see the same things share one upstream subscription: an admin group per tenant, each customer alone. */
export function visibilityOf(identity: Identity): string {
  return identity.role === 'ADMIN' ? `${identity.tenantId}:ADMIN` : `${identity.tenantId}:USER:${identity.userId}`;
}
