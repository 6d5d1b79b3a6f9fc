import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Retention, type RawSql, type RetentionOptions } from '#platform/events';
import { registry } from '#platform/observability';

const logger = pino({ level: 'silent' });

/**
 * The outbox and the inbox keep their rows for a while, then lose them: published events after
 * OUTBOX_RETENTION_HOURS, consumed ids after INBOX_RETENTION_HOURS; never an unpublished event.
 * The same cases on PGlite and on PostgreSQL. `db` reaches the schema `schema` of a migrated subgraph.
 */
export function retentionCases(name: string, target: () => { db: RawSql; schema: string }): void {
  const outboxRow = async (ageHours: number, published: boolean): Promise<string> => {
    const { db, schema } = target();
    const id = randomUUID();
    await db.$executeRawUnsafe(
      `INSERT INTO "${schema}"."OutboxEvent" ("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "occurredAt", "publishedAt")
       VALUES ($1::uuid, $2, 'test.probe.recorded', 1, 'Probe', $1, '{}'::jsonb, now() - make_interval(hours => $3), CASE WHEN $4 THEN now() - make_interval(hours => $3) END)`,
      id, randomUUID(), ageHours, published,
    );
    return id;
  };
  const inboxRow = async (ageHours: number): Promise<string> => {
    const { db, schema } = target();
    const id = randomUUID();
    await db.$executeRawUnsafe(`INSERT INTO "${schema}"."ProcessedEvent" ("consumer", "eventId", "processedAt") VALUES ('test.retention', $1::uuid, now() - make_interval(hours => $2))`, id, ageHours);
    return id;
  };
  const outboxIds = async (ids: string[]) => {
    const { db, schema } = target();
    return (await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id"::text FROM "${schema}"."OutboxEvent" WHERE "id" = ANY($1::uuid[])`, ids)).map((r) => r.id).sort();
  };
  const inboxIds = async (ids: string[]) => {
    const { db, schema } = target();
    return (await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "eventId"::text AS "id" FROM "${schema}"."ProcessedEvent" WHERE "eventId" = ANY($1::uuid[])`, ids)).map((r) => r.id).sort();
  };
  const retention = (options: Partial<RetentionOptions> = {}) =>
    new Retention({ service: `retention-${name}`, schema: target().schema, db: target().db, logger, outboxHours: 24, inboxHours: 48, intervalMs: 60_000, ...options });
  const deletedMetric = async (table: string) =>
    (await registry.getSingleMetric('retention_deleted_total')!.get()).values.find((v) => v.labels.service === `retention-${name}` && v.labels.table === table)?.value ?? 0;

  describe(`retention of the outbox and the inbox (${name})`, () => {
    it('deletes published events past retention, keeps newer ones, and never an unpublished event however old', async () => {
      const old = [await outboxRow(30, true), await outboxRow(25, true)];
      const kept = [await outboxRow(23, true), await outboxRow(500, false), await outboxRow(1, false)];
      const before = await deletedMetric('outbox');
      const { outbox } = await retention().prune();
      expect(outbox).toBeGreaterThanOrEqual(2);
      expect(await outboxIds([...old, ...kept])).toEqual([...kept].sort());
      expect((await deletedMetric('outbox')) - before).toBe(outbox);
    });

    it('deletes consumed ids past their own retention, and keeps the recent ones that still stop a redelivery', async () => {
      const old = [await inboxRow(49), await inboxRow(72)];
      const kept = [await inboxRow(47), await inboxRow(0)];
      const { inbox } = await retention().prune();
      expect(inbox).toBeGreaterThanOrEqual(2);
      expect(await inboxIds([...old, ...kept])).toEqual([...kept].sort());
    });

    it('deletes in batches until nothing past retention is left', async () => {
      const old = [];
      for (let i = 0; i < 7; i += 1) old.push(await outboxRow(26, true), await inboxRow(50));
      await retention({ batchSize: 2 }).prune();
      expect(await outboxIds(old)).toEqual([]);
      expect(await inboxIds(old)).toEqual([]);
    });

    it('keeps everything when a retention is 0', async () => {
      const event = await outboxRow(10_000, true);
      const id = await inboxRow(10_000);
      expect(await retention({ outboxHours: 0, inboxHours: 0 }).prune()).toEqual({ outbox: 0, inbox: 0 });
      expect(await outboxIds([event])).toEqual([event]);
      expect(await inboxIds([id])).toEqual([id]);
    });

    it('runs on its own every interval once started, until stopped', async () => {
      const event = await outboxRow(30, true);
      const running = retention({ intervalMs: 50 });
      running.start();
      try {
        await expect.poll(() => outboxIds([event]), { timeout: 5_000, interval: 50 }).toEqual([]);
      } finally {
        await running.stop();
      }
      const later = await outboxRow(30, true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await outboxIds([later])).toEqual([later]);
    });
  });
}
