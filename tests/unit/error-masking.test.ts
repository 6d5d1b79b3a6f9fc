// Unexpected errors, in every mode: the client gets INTERNAL_SERVER_ERROR and a generic message
// (no SQL, Prisma text or file path), the log gets the request id, the path and the stack.
import { ApolloServer } from '@apollo/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { formatError, ValidationError } from '#platform/errors';
import { errorLogPlugin } from '#platform/http';

const LEAKY = 'Invalid `prisma.product.findMany()` invocation in /work/app/subgraphs/catalog/src/repositories/product.repository.ts:42:7 — ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SELECT "id" FROM "catalog"."Product")';

async function serve() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const server = new ApolloServer<{ requestId: string; logger: typeof logger }>({
    typeDefs: 'type Query { leaky: String refused: String }',
    resolvers: {
      Query: {
        leaky: () => {
          throw new Error(LEAKY);
        },
        refused: () => {
          throw new ValidationError('search', 'search must be at most 200 characters.');
        },
      },
    },
    formatError: formatError(),
    plugins: [errorLogPlugin(logger)],
  });
  await server.start();
  const run = async (query: string) => {
    const response = await server.executeOperation({ query }, { contextValue: { requestId: 'req-42', logger } });
    return response.body.kind === 'single' ? response.body.singleResult : null;
  };
  return { run, lines, stop: () => server.stop() };
}

describe('errors clients see', () => {
  it('answers an unexpected error as INTERNAL_SERVER_ERROR with a generic message, and logs it with the request id and stack', async () => {
    const { run, lines, stop } = await serve();
    try {
      const result = await run('{ leaky }');
      expect(result?.errors?.[0]).toMatchObject({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(result)).not.toMatch(/prisma|SELECT|\/work\/|\.ts:\d+|byte sequence/);
      const logged = lines.find((line) => line.msg === 'unexpected error answered as INTERNAL_SERVER_ERROR');
      expect(logged).toMatchObject({ requestId: 'req-42', path: ['leaky'] });
      expect((logged!.err as { message: string; stack: string }).message).toBe(LEAKY);
      expect((logged!.err as { stack: string }).stack).toMatch(/error-masking\.test\.ts/);
    } finally {
      await stop();
    }
  });

  it('passes an expected refusal through as it is, and does not log it as unexpected', async () => {
    const { run, lines, stop } = await serve();
    try {
      const result = await run('{ refused }');
      expect(result?.errors?.[0]).toMatchObject({ message: 'search must be at most 200 characters.', extensions: { code: 'BAD_USER_INPUT', field: 'search' } });
      expect(lines.filter((line) => line.msg === 'unexpected error answered as INTERNAL_SERVER_ERROR')).toHaveLength(0);
    } finally {
      await stop();
    }
  });
});
