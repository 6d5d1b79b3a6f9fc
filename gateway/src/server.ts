import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { formatError } from '#platform/errors';
import { createServer } from 'node:http';
import { errorLogPlugin, inputHygienePlugin, listen, metricsPlugin, operationalRoutes } from '#platform/http';
import { apolloLogger, type Logger, collectDefaultMetrics, httpServerSpans } from '#platform/observability';
import { isSubgraphName } from '#contracts';
import { TokenVerifier } from './auth/token-verifier.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { requireAuthenticationPlugin } from './plugins/require-authentication.js';
import { enforceSchemaPoliciesPlugin } from './plugins/enforce-schema-policies.js';
import { acceptSecurityFeatures, readPolicies } from './auth/schema-policies.js';
import { SubgraphDataSource } from './subgraph-fetch/subgraph-data-source.js';
import { SubgraphTransport } from './subgraph-fetch/subgraph-transport.js';
import { SubgraphHealth } from './subgraph-fetch/subgraph-health.js';
import { SubgraphGuards, timeoutOf } from './subgraph-fetch/resilience/subgraph-guards.js';
import { GatewayCredentialSigner, loadGatewayCredentialSecret, subgraphCredentialKey } from '#platform/auth';
import { createEdgeStore } from './edge-store/create-edge-store.js';
import { admitOperations } from './operations/admit-http-operations.js';
import { admitNonHttpOperationsPlugin } from './operations/admit-websocket-operations.plugin.js';
import { rateLimitNonHttpOperationsPlugin } from './rate-limits/limit-websocket-operations.plugin.js';
import { batchLimit, corsPolicy, securityHeaders } from './http/edge-middleware.js';
import { resultJson } from './http/result-json.js';
import { gatewayHttpHandler } from './http/gateway-http.js';
import { requestLogPlugin } from './plugins/request-log.js';
import { browserApps } from './http/browser-apps.js';
import { identifyCaller } from './http/identify-caller.js';
import { rateLimitRequests } from './rate-limits/limit-http-requests.js';
import { OperationLimiter } from './operations/operation-limits.js';
import { requestIdInErrorsPlugin, withoutSuggestions } from './plugins/error-hygiene.js';
import { loginRateLimitsPlugin } from './rate-limits/limit-logins.plugin.js';
import { refusedCredentialsPlugin } from './plugins/refused-credentials.js';
import { loadTrustedDocuments, operationNamesOf, persistedQueryCache } from './operations/trusted-documents.js';
import { RateLimiter } from './rate-limits/rate-limiter.js';
import type { EventBus } from '#platform/events';
import { startLiveSubscriptions } from './subscriptions/live-subscriptions.js';
import { SessionEnds } from './sessions/index.js';

export interface RunningGateway {
  url: string;
  port: number;
  /** Ended sessions (logout, reused refresh tokens), as every replica hears of them. */
  sessions: SessionEnds;
  /** First step of a drained shutdown: /readyz answers 503 while requests are still served. */
  beginShutdown(): void;
  /** Stops accepting, finishes requests and subscriptions in flight (up to the shutdown grace), closes. */
  stop(): Promise<void>;
}

/** Subgraph routing URLs from the supergraph, with the config's overrides applied. */
function subgraphUrlOf(config: GatewayConfig, name: string, url: string): string {
  return (isSubgraphName(name) ? config.subgraphUrls[name] : undefined) ?? url;
}

/** The federation gateway: one composed schema over HTTP, identity checked here and passed on. */
export async function startGateway(config: GatewayConfig, logger: Logger, options: { events: EventBus }): Promise<RunningGateway> {
  collectDefaultMetrics();
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const policies = readPolicies(supergraphSdl);
  const trustedDocuments = loadTrustedDocuments(config.edge.trustedDocuments);
  // each subgraph's data source gets a signer with that subgraph's key only (derived here, once)
  const credentialSecret = loadGatewayCredentialSecret({ secret: config.edge.credential.secret, dataDir: config.dataDir });
  const store = await createEdgeStore(config.edge, logger.child({ component: 'edge-store' }));
  const sessions = new SessionEnds(store, logger.child({ component: 'sessions' }));
  await sessions.listen(options.events);
  const limiter = new RateLimiter(store, config.edge.rateLimits);
  const operationLimiter = new OperationLimiter(config.edge.limits);
  const apqCache = persistedQueryCache(trustedDocuments, store.persistedQueries, config.edge.trustedDocuments.mode);
  const subgraphs = new Map<string, string>();
  const dataSources = new Map<string, SubgraphDataSource>();
  const guards = new SubgraphGuards(config, logger.child({ component: 'subgraph-guard' }));
  const gateway = new ApolloGateway({
    supergraphSdl: acceptSecurityFeatures(supergraphSdl),
    buildService: ({ name, url }) => {
      const target = subgraphUrlOf(config, name, url!);
      subgraphs.set(name, target);
      const source = new SubgraphDataSource(
        name,
        new SubgraphTransport(name, target, { timeoutMs: timeoutOf(config, name), connections: config.resilience.maxConcurrency }),
        new GatewayCredentialSigner(subgraphCredentialKey(credentialSecret, name), name, config.edge.credential.ttlSeconds),
        guards.for(name),
        config.env === 'development',
        { mergeFetches: config.mergeSubgraphFetches },
      );
      dataSources.set(name, source);
      return sessions.watch(name, source);
    },
    logger: apolloLogger(logger),
  });
  const verifier = new TokenVerifier(config.jwksUrl, config.jwt, (sessionId) => sessions.isSessionEnded(sessionId));
  // The API schema the edge checks operations against, as the gateway loads it.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });

  let accepting = true;
  // Ready = this gateway can serve its supergraph; the subgraphs' health is reported, not required.
  const health = new SubgraphHealth({
    subgraphs,
    intervalMs: config.resilience.healthIntervalMs,
    timeoutMs: config.resilience.healthTimeoutMs,
    required: config.resilience.requiredSubgraphs,
    circuits: () => guards.states(),
  });
  const supergraphLoaded = {
    name: 'supergraph',
    check: async () => {
      if (!apiSchema) throw new Error('not loaded yet');
    },
  };
  // plain node:http: its handler is set once Apollo Server has started (below)
  const server = createServer();
  server.keepAliveTimeout = 65_000;

  const production = config.env === 'production';
  const policyPlugins = [
    admitNonHttpOperationsPlugin({ limiter: operationLimiter, trusted: trustedDocuments, mode: config.edge.trustedDocuments.mode }),
    rateLimitNonHttpOperationsPlugin(limiter),
    requireAuthenticationPlugin({ allowAnonymousIntrospection: !production }),
    enforceSchemaPoliciesPlugin(() => policies),
    inputHygienePlugin({ httpStatus: 400 }),
  ];
  const live = startLiveSubscriptions({
    config,
    logger,
    gateway,
    httpServer: server,
    dataSources,
    events: options.events,
    verifier,
    policyPlugins,
    formatError: formatError(),
    sessionEnds: sessions,
  });
  const formatForClients = formatError();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // the same text as Apollo's default, written flat (see result-json.ts)
    stringifyResult: resultJson,
    // The process owns SIGTERM/SIGINT (drain, then close databases and the bus), not each Apollo instance.
    stopOnTerminationSignals: false,
    // A request with an Authorization header always needs a CORS preflight: it is no CSRF (urql's GET queries carry one).
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'] },
    allowBatchedHttpRequests: config.edge.limits.maxBatchSize > 1,
    persistedQueries: { cache: apqCache, ttl: 86_400 },
    // In production, validation messages lose their "Did you mean …?": no schema map without introspection.
    formatError: (formatted, error) => formatForClients(production ? withoutSuggestions(formatted) : formatted, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.shutdown.graceMs }),
      ...(production || config.browserApps.graphiql ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...policyPlugins,
      loginRateLimitsPlugin(limiter),
      refusedCredentialsPlugin(),
      requestIdInErrorsPlugin(),
      errorLogPlugin(logger),
      requestLogPlugin(),
      metricsPlugin('gateway', { knownOperations: operationNamesOf(trustedDocuments) }),
    ],
    logger: apolloLogger(logger),
  });
  await apollo.start();
  health.start();

  server.on(
    'request',
    gatewayHttpHandler({
      logger,
      apollo,
      maxBodyBytes: config.maxBodyBytes,
      routes: [
        operationalRoutes({ logger, isAccepting: () => accepting, checkTimeoutMs: config.readinessCheckTimeoutMs, readiness: [supergraphLoaded, health.readiness()] }),
        browserApps(config.browserApps),
      ],
      headers: securityHeaders(production),
      cors: corsPolicy(config.edge.corsOrigins, { allowLocalhost: !production }),
      span: httpServerSpans('gateway'),
      isAccepting: () => accepting,
      beforeCaller: [batchLimit(config.edge.limits.maxBatchSize)],
      identify: identifyCaller(verifier, logger, config.edge.trustProxy),
      // Cheapest refusals first: a bucket lookup, then trusted documents and limits, then GraphQL.
      afterCaller: [
        rateLimitRequests(limiter),
        admitOperations({
          limiter: operationLimiter,
          trusted: trustedDocuments,
          mode: config.edge.trustedDocuments.mode,
          persistedQueries: apqCache,
          schema: () => apiSchema,
        }),
      ],
    }),
  );

  const port = await listen(server, config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  return {
    url,
    port,
    sessions,
    beginShutdown() {
      accepting = false;
    },
    async stop() {
      accepting = false;
      await live.stop();
      await sessions.stop();
      await apollo.stop();
      await Promise.all([...dataSources.values()].map((source) => source.transport.close()));
      health.stop();
      guards.close();
      await store.close();
    },
  };
}
