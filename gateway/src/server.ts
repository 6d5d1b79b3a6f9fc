import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { formatError } from '../../subgraphs/kernel/src/errors.js';
import { createHttpApp, jsonErrorHandler, listen } from '../../subgraphs/kernel/src/http/app.js';
import { metricsPlugin } from '../../subgraphs/kernel/src/http/metrics-plugin.js';
import type { Logger } from '../../subgraphs/kernel/src/logger.js';
import { collectDefaultMetrics } from '../../subgraphs/kernel/src/metrics.js';
import { isSubgraphName } from '../../subgraphs/kernel/src/names.js';
import { TokenVerifier } from './auth/token-verifier.js';
import type { GatewayConfig } from './config.js';
import { createGatewayContext, type GatewayContext } from './context.js';
import { requireAuthenticationPlugin } from './plugins/require-authentication.js';
import { enforceSchemaPoliciesPlugin } from './plugins/enforce-schema-policies.js';
import { acceptSecurityFeatures, readPolicies } from './auth/schema-policies.js';
import { SubgraphDataSource } from './subgraph-data-source.js';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Subgraph routing URLs from the supergraph, with the config's overrides applied. */
function subgraphUrlOf(config: GatewayConfig, name: string, url: string): string {
  return (isSubgraphName(name) ? config.subgraphUrls[name] : undefined) ?? url;
}

/** The federation gateway: one composed schema over HTTP, identity checked here and passed on. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  collectDefaultMetrics();
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const policies = readPolicies(supergraphSdl);
  const subgraphs = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: acceptSecurityFeatures(supergraphSdl),
    buildService: ({ name, url }) => {
      const target = subgraphUrlOf(config, name, url!);
      subgraphs.set(name, target);
      return new SubgraphDataSource(name, target, config.subgraphTimeoutMs);
    },
    logger: { debug: (m) => logger.debug(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
  });
  const verifier = new TokenVerifier(config.jwksUrl, config.jwt);

  let accepting = true;
  const { app, server } = createHttpApp({
    logger,
    isAccepting: () => accepting,
    readiness: [
      {
        name: 'subgraphs',
        check: async () => {
          const down: string[] = [];
          await Promise.all(
            [...subgraphs].map(async ([name, url]) => {
              const response = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(1_500) }).catch(() => null);
              if (!response?.ok) down.push(name);
            }),
          );
          if (down.length) throw new Error(`not ready: ${down.sort().join(', ')}`);
        },
      },
    ],
  });

  const production = config.env === 'production';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM/SIGINT (drain, then close databases and the bus), not each Apollo instance.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    formatError: formatError({ exposeInternals: config.env === 'development' }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
      requireAuthenticationPlugin({ allowAnonymousIntrospection: !production }),
      enforceSchemaPoliciesPlugin(() => policies),
      metricsPlugin('gateway'),
    ],
    logger: { debug: (m) => logger.debug(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: config.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = await createGatewayContext(req.headers, verifier, logger);
        res.setHeader('x-request-id', context.requestId);
        return context;
      },
    }),
  );
  app.use(jsonErrorHandler(logger));

  const port = await listen(server, config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  return {
    url,
    port,
    async stop() {
      accepting = false;
      await apollo.stop();
    },
  };
}
