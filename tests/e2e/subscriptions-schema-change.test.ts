import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { acceptSecurityFeatures, readPolicies } from '../../gateway/src/auth/schema-policies.js';
import { TokenVerifier } from '../../gateway/src/auth/token-verifier.js';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { enforceSchemaPoliciesPlugin } from '../../gateway/src/plugins/enforce-schema-policies.js';
import { requireAuthenticationPlugin } from '../../gateway/src/plugins/require-authentication.js';
import { startLiveSubscriptions, type LiveSubscriptions } from '../../gateway/src/subscriptions/live-subscriptions.js';
import { formatError } from '#platform/errors';
import { InProcessBus } from '#platform/events';
import { listen } from '#platform/http';
import { registry } from '#platform/observability';
import { REPO_ROOT } from '#platform/config';
import type { Gauge } from 'prom-client';
import { eventually, LiveClient } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { TestTokens } from '../harness/test-tokens.js';

// The gateway learns a new supergraph while sockets are open: subscriptions planned against the old
// one end with SUBSCRIPTION_SCHEMA_RELOAD, and the socket stays open for the client to subscribe again.
// A gateway of its own, with a supergraph it can update, on a real HTTP server and socket.

const logger = pino({ level: 'silent' });
const sdl = acceptSecurityFeatures(readFileSync(resolve(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));
const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;

let tokens: TestTokens;
let jwksServer: Server;
let httpServer: Server;
let gateway: ApolloGateway;
let live: LiveSubscriptions;
let update: (sdl: string) => void;
let url: string;

beforeAll(async () => {
  tokens = await TestTokens.create();
  const jwks = JSON.stringify(await tokens.jwks());
  jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  const jwksPort = await listen(jwksServer, 0, '127.0.0.1');
  const config = loadGatewayConfig({ NODE_ENV: 'test', JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks.json`, PORT: '0' });

  httpServer = createServer((_req, res) => res.writeHead(404).end());
  gateway = new ApolloGateway({
    supergraphSdl: async (options) => {
      update = options.update;
      return { supergraphSdl: sdl };
    },
    buildService: ({ url: serviceUrl }) => new RemoteGraphQLDataSource({ url: serviceUrl }),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  live = startLiveSubscriptions({
    config,
    logger,
    gateway,
    httpServer,
    dataSources: new Map(),
    events: new InProcessBus(logger),
    verifier: new TokenVerifier(config.jwksUrl, config.jwt),
    policyPlugins: [requireAuthenticationPlugin({ allowAnonymousIntrospection: false }), enforceSchemaPoliciesPlugin(() => readPolicies(sdl))],
    formatError: formatError(),
  });
  await gateway.load();
  url = `http://127.0.0.1:${await listen(httpServer, 0, '127.0.0.1')}/graphql`;
});

/** Subscriptions the gateway runs (its gauge, summed over root fields). */
async function running(): Promise<number> {
  const { values } = await (registry.getSingleMetric('gateway_subscriptions') as Gauge).get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

afterAll(async () => {
  await live?.stop();
  await gateway?.stop();
  await new Promise((r) => httpServer?.close(r));
  await new Promise((r) => jwksServer?.close(r));
});

describe('a schema change', () => {
  it('ends every subscription with SUBSCRIPTION_SCHEMA_RELOAD and keeps the socket open to subscribe again', async () => {
    const admin = ACME.users.find((u) => u.role === 'ADMIN')!;
    const client = await LiveClient.connect(url, await tokens.sign({ userId: admin.id, tenantId: ACME.id, role: 'ADMIN' }));
    try {
      const before = await running();
      const orders = client.subscribe(contract.dashboard, {}, 'LiveOrders');
      const stock = client.subscribe(contract.dashboard, { productIds: [ACME.products[0]!.id] }, 'LiveStock');
      await eventually('both subscriptions to run', async () => (await running()) === before + 2);

      update(`${sdl}\n# a new composition\n`);

      for (const subscription of [orders, stock]) {
        await eventually('the subscription to complete', () => subscription.completed);
        expect(subscription.results.at(-1)).toEqual({ data: null, errors: [{ message: 'The schema changed; subscribe again.', extensions: { code: 'SUBSCRIPTION_SCHEMA_RELOAD' } }] });
      }
      expect(client.closeCode).toBeUndefined();
      await eventually('the ended subscriptions to leave', async () => (await running()) === before);
      const again = client.subscribe(contract.dashboard, {}, 'LiveOrders');
      await eventually('the new subscription to run', async () => (await running()) === before + 1);
      expect(again.failure).toBeUndefined();
      expect(again.completed).toBe(false);
    } finally {
      await client.dispose();
    }
  });
});
