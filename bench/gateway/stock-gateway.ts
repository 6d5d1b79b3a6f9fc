// The baseline: @apollo/gateway on @apollo/server's standalone server, every option at its default.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { RunningGateway } from './our-gateway.js';

export async function startStockGateway(env: Record<string, string | undefined>): Promise<RunningGateway> {
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(env.SUPERGRAPH_PATH!, 'utf8') });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(env.PORT), host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
