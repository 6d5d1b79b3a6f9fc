// One subgraph put together on a private PGlite made from the shared seeded image, without HTTP or
// a gateway: its services called directly with request contexts, as resolvers and consumers call
// them. Events they write stay in the subgraph's outbox, where a test reads them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { Identity } from '#platform/auth';
import { createEvent, InProcessBus, type EventDefinition, type EventEnvelope } from '#platform/events';
import { assembleSubgraph, type AssembledSubgraph, type ContextData, type PrismaLike, type ResolverContext } from '#platform/subgraph';
import type { RawSql } from '#platform/events';
import type { SubgraphName } from '#contracts';
import { DEMO_TENANTS, type DemoTenant } from '../../prisma/demo-data.js';
import { SUBGRAPHS } from '../../hosts/subgraphs.js';
import { openDatabaseFromImage } from './database-image.js';

export interface OutboxRow {
  type: string;
  aggregateId: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

export interface ServiceHarness<D extends ContextData, S> {
  subgraph: AssembledSubgraph<PrismaLike<RawSql>, RawSql, D, S>;
  services: S;
  /** A request context for this caller, as the gateway would vouch for them. */
  as(identity: Identity | null): ResolverContext<D, S>;
  /** Hands an event to the subgraph's consumer as the bus would (no de-duplication by the bus). */
  deliver<P>(definition: EventDefinition<P>, fields: { tenantId: string; aggregateId: string; payload: P }): Promise<EventEnvelope<P>>;
  /** Redelivers an event exactly as it was first delivered. */
  redeliver(event: EventEnvelope): Promise<void>;
  /** Events written to the outbox, oldest first. */
  outbox(type?: string): Promise<OutboxRow[]>;
  sql<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]>;
  /**
   * Starts the subgraph again on the same database, as a new process after a crash would (new
   * services and bus; the old instance is left as it stopped; an outside party such as the payment
   * provider is the same one, as it would be), with its consumers on the
   * new bus, and runs its outbox relay once: what the outbox still holds is published, and this
   * resolves once the bus has handled it. `subgraph`, `services` and `deliver` are the new instance's.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const ACME = DEMO_TENANTS[0]!;
export const GLOBEX = DEMO_TENANTS[1]!;

/** The demo user of a tenant with that role, as an identity. */
export function identityOf(tenant: DemoTenant, role: 'ADMIN' | 'CUSTOMER', sessionId?: string): Identity {
  const user = tenant.users.find((u) => u.role === role)!;
  return { userId: user.id, tenantId: tenant.id, role, ...(sessionId ? { sessionId } : {}) };
}

export async function serviceHarness<D extends ContextData, S>(name: SubgraphName, env: Record<string, string> = {}): Promise<ServiceHarness<D, S>> {
  const dataDir = mkdtempSync(join(tmpdir(), `sc-${name}-`));
  const pglite = await openDatabaseFromImage(inject('databaseImage'));
  const logger = pino({ level: 'silent' });
  const { config, definition } = await SUBGRAPHS[name].prepare({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env });
  const assemble = async (bus: InProcessBus) =>
    (await assembleSubgraph(definition, { config, logger, database: { kind: 'pglite', pglite }, bus })) as unknown as AssembledSubgraph<PrismaLike<RawSql>, RawSql, D, S>;
  const buses = [new InProcessBus(logger)];
  const instances = [await assemble(buses[0]!)];
  const current = () => instances.at(-1)!;
  const db = current().runtime.db;
  const handle = async (event: EventEnvelope) => {
    const consumer = current().consumers.find((c) => c.types.includes(event.type));
    if (!consumer) throw new Error(`${name} does not consume ${event.type}`);
    await consumer.handler(event);
  };
  const harness: ServiceHarness<D, S> = {
    subgraph: current(),
    services: current().services,
    as: (identity) => current().contextFor({ identity }),
    async deliver(definition, fields) {
      const event = createEvent(definition, fields);
      await handle(event);
      return event;
    },
    redeliver: handle,
    async outbox(type) {
      const rows = await db.$queryRawUnsafe<OutboxRow[]>(
        `SELECT "type", "aggregateId", "tenantId", "payload" FROM "${name}"."OutboxEvent" ${type ? 'WHERE "type" = $1' : ''} ORDER BY "seq"`,
        ...(type ? [type] : []),
      );
      return rows;
    },
    sql: (query, ...params) => db.$queryRawUnsafe(query, ...params),
    async restart() {
      const bus = new InProcessBus(logger);
      const restarted = await assemble(bus);
      buses.push(bus);
      instances.push(restarted);
      harness.subgraph = restarted;
      harness.services = restarted.services;
      for (const consumer of restarted.consumers) await bus.consume(consumer);
      await restarted.relay.flush();
      await bus.drain();
    },
    async close() {
      for (const instance of instances) await instance.relay.stop();
      for (const bus of buses) await bus.close();
      for (const instance of instances) await instance.runtime.db.$disconnect();
      await pglite.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
