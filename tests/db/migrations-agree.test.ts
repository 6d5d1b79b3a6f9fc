import { describe, expect, it } from 'vitest';
import { checkMigrations } from '../../tools/migrations/check.js';
import { SUBGRAPH_NAMES } from '#contracts';

describe('migrations', () => {
  it("agree with every subgraph's schema.prisma and with the platform's outbox.prisma", async () => {
    const results = await checkMigrations();
    expect(results.map((r) => r.subgraph)).toEqual([...SUBGRAPH_NAMES, 'platform']);
    // On failure the missing SQL is the message: run `npm run db:migration -- <subgraph> <name>`.
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 120_000);
});
