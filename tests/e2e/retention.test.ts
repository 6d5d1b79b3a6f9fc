import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '#contracts';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Every subgraph process prunes its own outbox and inbox on a timer (platform/events/retention.ts,
// whose cases run in tests/integration/retention.test.ts): here, that the running subgraphs do.
let sg: TestSupergraph;

beforeAll(async () => {
  sg = await startTestSupergraph({ RETENTION_INTERVAL_MS: '1000', OUTBOX_RETENTION_HOURS: '24', INBOX_RETENTION_HOURS: '24' });
});
afterAll(async () => {
  await sg?.stop();
});

describe('a running subgraph and its outbox and inbox', () => {
  it('deletes, on its own, the published events and consumed ids past retention, in every subgraph, and keeps the rest', async () => {
    const rows = await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const old = randomUUID();
        const recent = randomUUID();
        for (const [id, hours] of [[old, 30], [recent, 1]] as const) {
          await sg.sql(
            name,
            `INSERT INTO "${name}"."OutboxEvent" ("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "publishedAt")
             VALUES ($1::uuid, $1, 'test.probe.recorded', 1, 'Probe', $1, '{}'::jsonb, now() - make_interval(hours => $2))`,
            id, hours,
          );
          await sg.sql(name, `INSERT INTO "${name}"."ProcessedEvent" ("consumer", "eventId", "processedAt") VALUES ('test.retention', $1::uuid, now() - make_interval(hours => $2))`, id, hours);
        }
        return { name, old, recent };
      }),
    );
    const left = async (name: string, ids: string[]) => ({
      outbox: await sg.count(name as never, `SELECT count(*)::int AS n FROM "${name}"."OutboxEvent" WHERE "id" = ANY($1::uuid[])`, ids),
      inbox: await sg.count(name as never, `SELECT count(*)::int AS n FROM "${name}"."ProcessedEvent" WHERE "eventId" = ANY($1::uuid[])`, ids),
    });
    for (const { name, old, recent } of rows) {
      await expect.poll(() => left(name, [old]), { timeout: 10_000, interval: 200 }).toEqual({ outbox: 0, inbox: 0 });
      expect(await left(name, [recent]), name).toEqual({ outbox: 1, inbox: 1 });
    }
  });
});
