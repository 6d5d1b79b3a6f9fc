import type { EventBus, EventEnvelope } from '#platform/events';
import type { Logger } from '#platform/observability';
import { WATCHED_EVENT_TYPES, type EntityChange, type EntityChanges } from './entity-changes.js';
import { subscriptionArrival } from './metrics.js';
import type { TenantInterest } from './subscription-hub.js';

/** Event ids remembered to drop a second delivery (a publish retried by an outbox relay reaches core NATS twice). */
const DEDUPE_WINDOW = 20_000;

interface Tenant {
  refs: number;
  subscribed: Promise<() => Promise<void>>;
  linger: NodeJS.Timeout | undefined;
}

/**
 * Where live subscriptions get their events: a fan-out subscription on the bus (every gateway
 * replica receives every event) per tenant that has subscribers here, held a little after the last
 * one leaves so reconnecting clients do not churn it.
 */
export class EventIntake implements TenantInterest {
  private readonly tenants = new Map<string, Tenant>();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private stopped = false;

  constructor(
    private readonly bus: EventBus,
    private readonly changes: EntityChanges,
    private readonly dispatch: (change: EntityChange) => void,
    private readonly logger: Logger,
    private readonly lingerMs = 30_000,
  ) {}

  async retain(tenantId: string): Promise<void> {
    if (this.stopped) throw new Error('the gateway is shutting down');
    const known = this.tenants.get(tenantId);
    if (known) {
      known.refs += 1;
      if (known.linger) clearTimeout(known.linger);
      known.linger = undefined;
      await known.subscribed;
      return;
    }
    const tenant: Tenant = {
      refs: 1,
      linger: undefined,
      subscribed: this.bus.subscribe({ types: [...WATCHED_EVENT_TYPES], tenantId, handler: (event) => this.receive(event) }),
    };
    this.tenants.set(tenantId, tenant);
    try {
      await tenant.subscribed;
    } catch (error) {
      if (this.tenants.get(tenantId) === tenant) this.tenants.delete(tenantId);
      this.logger.error({ tenantId, err: error instanceof Error ? error.message : String(error) }, 'could not subscribe to the tenant\'s events');
      throw error;
    }
  }

  release(tenantId: string): void {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return;
    tenant.refs -= 1;
    if (tenant.refs > 0 || this.stopped) return;
    tenant.linger = setTimeout(() => {
      if (this.tenants.get(tenantId) !== tenant || tenant.refs > 0) return;
      this.tenants.delete(tenantId);
      void this.unsubscribe(tenant);
    }, this.lingerMs);
    tenant.linger.unref();
  }

  /** Stops taking events. */
  async stop(): Promise<void> {
    this.stopped = true;
    const tenants = [...this.tenants.values()];
    this.tenants.clear();
    await Promise.all(tenants.map((tenant) => this.unsubscribe(tenant)));
  }

  private receive(event: EventEnvelope): void {
    if (this.stopped || this.seen.has(event.id)) return;
    this.seen.add(event.id);
    this.seenOrder.push(event.id);
    if (this.seenOrder.length > DEDUPE_WINDOW) this.seen.delete(this.seenOrder.shift()!);
    const committed = Date.parse(event.committedAt ?? event.occurredAt);
    if (Number.isFinite(committed)) subscriptionArrival.observe(Math.max(0, Date.now() - committed) / 1_000);
    for (const change of this.changes.of(event)) this.dispatch(change);
  }

  private async unsubscribe(tenant: Tenant): Promise<void> {
    if (tenant.linger) clearTimeout(tenant.linger);
    try {
      const unsubscribe = await tenant.subscribed;
      await unsubscribe();
    } catch {
      // never subscribed, or the bus is already closed
    }
  }
}
