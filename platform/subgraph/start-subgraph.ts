import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import express, { type Router } from 'express';
import type { DocumentNode } from 'graphql';
import type { SubgraphConfig } from '../config/config.js';
import { createAdapterFactory, migrationTargetOf, StatementCounter, type DatabaseTarget } from '../db/database.js';
import { DriverSql } from '../db/driver-sql.js';
import { applyMigrations } from '../db/migrator.js';
import { formatError } from '../errors/errors.js';
import type { ConsumerOptions, EventBus } from '../events/bus.js';
import type { EventEnvelope } from '../events/event.js';
import { Inbox, Outbox, type RawSql } from '../events/outbox.js';
import { OutboxRelay } from '../events/relay.js';
import { Retention } from '../events/retention.js';
import { applyOutboxMigrations } from '../events/outbox-migrations.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { createHttpApp, jsonErrorHandler, listen } from '../http/http-server.js';
import { metricsPlugin } from '../http/metrics-plugin.js';
import { errorLogPlugin } from '../http/error-log-plugin.js';
import { inputHygienePlugin } from '../http/input-hygiene-plugin.js';
import { randomUUID } from 'node:crypto';
import { requestIdFrom, type Identity } from '../auth/identity.js';
import { GatewayCredentialVerifier } from '../auth/gateway-credential.js';
import { loadSubgraphCredentialKeys, loadToolingKey } from '../auth/gateway-keys.js';
import { readPolicies } from '../auth/policies.js';
import { keepRawBody, requireGatewayCredential, verifiedCaller } from './gateway-guard.js';
import { subgraphPoliciesPlugin } from './policies-plugin.js';
import { committedEventsPlugin } from './committed-events-plugin.js';
import { apolloLogger, type Logger } from '../observability/logger.js';
import { collectDefaultMetrics } from '../observability/metrics.js';
import { tracedConsumer } from '../observability/event-spans.js';
import { httpServerSpans } from '../observability/http-spans.js';
import { traceResolvers } from '../observability/resolver-spans.js';
import { watchSubgraph } from './subgraph-probes.js';
import { BatchRunner } from './event-batches.js';
import type { EventConsumer } from './event-consumers.js';
import { eventContext, requestContext, type ContextData, type ContextRuntime, type DataAccess, type RequestContext } from './request-context.js';

/** A Prisma client as the kernel sees it: raw SQL for the outbox, transactions, disconnect. */
export interface PrismaLike<TTx extends RawSql> extends RawSql {
  $transaction<R>(fn: (tx: TTx) => Promise<R>, options?: { timeout?: number; maxWait?: number }): Promise<R>;
  $disconnect(): Promise<void>;
}

/** Everything a subgraph's services need that outlives a request. */
export interface SubgraphRuntime<TDb extends PrismaLike<TTx>, TTx extends RawSql> {
  name: string;
  config: SubgraphConfig;
  logger: Logger;
  db: TDb;
  uow: UnitOfWork<TTx>;
  inbox: Inbox;
  bus: EventBus;
  statements: StatementCounter;
}

/** What resolvers receive: the request's context, and the subgraph's services to call with it. */
export type ResolverContext<D extends ContextData, S> = RequestContext<D> & { readonly services: S };

/** A subgraph in one object: its SDL and migrations, database client, data access, services, resolvers and consumers. */
export interface SubgraphDefinition<TDb extends PrismaLike<TTx>, TTx extends RawSql, D extends ContextData, S> {
  name: string;
  /** The subgraph's SDL. */
  typeDefs: DocumentNode;
  /** Its Prisma migrations folder, applied at start to the Postgres schema named after it. */
  migrationsDir: string;
  createDb(adapter: SqlDriverAdapterFactory): TDb;
  /** Repositories (bound to a tenant), loaders and look-ups every request context makes on first use. */
  data: DataAccess<TDb | TTx, D>;
  /** The services, made once per process; each method takes a request context first. */
  services(runtime: SubgraphRuntime<TDb, TTx>): S;
  resolvers: unknown;
  consumers?(services: S): EventConsumer<D>[];
  routes?(router: Router, runtime: SubgraphRuntime<TDb, TTx>): void | Promise<void>;
  /**
   * Event types the gateway must know of before the client gets the answer (a session that ended):
   * the ones a request committed also ride back on its response, in `extensions.committedEvents`,
   * besides going out on the bus.
   */
  answerWithEvents?: string[];
  /** Runs after the migrations, before the subgraph serves; a thrown error stops it from starting. */
  startupCheck?(runtime: SubgraphRuntime<TDb, TTx>): Promise<void>;
}

export interface StartOptions {
  config: SubgraphConfig;
  logger: Logger;
  database: DatabaseTarget;
  bus: EventBus;
}

export interface RunningSubgraph<TDb extends PrismaLike<TTx>, TTx extends RawSql> {
  name: string;
  url: string;
  port: number;
  runtime: SubgraphRuntime<TDb, TTx>;
  relay: OutboxRelay;
  /** Deletes published outbox events and consumed ids past their retention. */
  retention: Retention;
  /** The consumers this subgraph registered with the bus, as the bus calls them. */
  consumers: ConsumerOptions[];
  /** First step of a drained shutdown: /readyz answers 503 while requests are still served. */
  beginShutdown(): void;
  /** Stops accepting, finishes in-flight requests (up to the shutdown grace), stops the relay, disconnects. */
  stop(): Promise<void>;
}

/** A subgraph put together, not yet serving: what tests of its services work with. */
export interface AssembledSubgraph<TDb extends PrismaLike<TTx>, TTx extends RawSql, D extends ContextData, S> {
  runtime: SubgraphRuntime<TDb, TTx>;
  services: S;
  relay: OutboxRelay;
  retention: Retention;
  /** Its consumers as the bus calls them, each event handled in a context made for it. */
  consumers: ConsumerOptions[];
  /** The context of one request, as resolvers get it. */
  contextFor(request: { identity: Identity | null; requestId?: string; logger?: Logger }): ResolverContext<D, S>;
}

/**
 * Migrates a subgraph's database (its own migrations, then the platform's outbox and inbox) and
 * puts it together: database client, unit of work, relay, services, consumers.
 */
export async function assembleSubgraph<TDb extends PrismaLike<TTx>, TTx extends RawSql, D extends ContextData, S>(
  definition: SubgraphDefinition<TDb, TTx, D, S>,
  options: StartOptions,
): Promise<AssembledSubgraph<TDb, TTx, D, S>> {
  const { config, logger, database, bus } = options;
  const name = definition.name;

  const migrationTarget = migrationTargetOf(database);
  const own = await applyMigrations(migrationTarget, { schema: name, migrationsDir: definition.migrationsDir, log: (msg) => logger.info(msg) });
  const platform = await applyOutboxMigrations(migrationTarget, { schema: name, log: (msg) => logger.info(msg) });
  const applied = [...own.applied, ...platform.applied];
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const statements = new StatementCounter(name);
  // raw statements (the saga's, the outbox's, the relay's) go straight to the driver adapter; ORM calls through Prisma
  const driverSql = new DriverSql();
  const prisma = definition.createDb(createAdapterFactory(database, statements, driverSql));
  const db = driverSql.client(prisma);
  const inTransaction = <R>(fn: (tx: TTx) => Promise<R>, options: { timeout?: number; maxWait?: number }) => driverSql.transaction<TTx, R>(prisma, fn, options);
  const outbox = new Outbox(name);
  const relay = new OutboxRelay({
    service: name,
    schema: name,
    db: {
      $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => db.$queryRawUnsafe<T>(sql, ...values),
      $executeRawUnsafe: (sql: string, ...values: unknown[]) => db.$executeRawUnsafe(sql, ...values),
      $transaction: (fn, options) => inTransaction(fn, options ?? {}),
    },
    bus,
    logger: logger.child({ component: 'outbox-relay' }),
    pollMs: config.outboxPollMs,
    exclusive: database.kind === 'postgres',
  });
  const retention = new Retention({
    service: name,
    schema: name,
    db,
    logger: logger.child({ component: 'retention' }),
    ...config.retention,
  });
  const runtime: SubgraphRuntime<TDb, TTx> = {
    name,
    config,
    logger,
    db,
    uow: new UnitOfWork<TTx>((fn) => inTransaction(fn, { timeout: 15_000, maxWait: 10_000 }), outbox, (ids, at) => relay.committed(ids, at)),
    inbox: new Inbox(name),
    bus,
    statements,
  };
  const services = definition.services(runtime);
  const contexts: ContextRuntime<TDb | TTx, D> = { db, uow: runtime.uow as unknown as UnitOfWork<RawSql>, inbox: runtime.inbox, data: definition.data };
  const consumers = (definition.consumers?.(services) ?? []).map(({ consumer, routes }): ConsumerOptions => {
    const byType = new Map(routes.map((route) => [route.type, route]));
    const batches = new BatchRunner(consumer, config.eventBatchSize, contexts, logger);
    const handler = async (event: EventEnvelope) => {
      const route = byType.get(event.type);
      if (!route) return;
      if (config.eventBatchSize <= 1) await route.handle(eventContext(contexts, logger, consumer, event), event);
      else if (route.apply) await batches.submit(event, (tx) => route.apply!(tx, event), true);
      // a route with its own transactions: each of them joins a batch
      else await route.handle(eventContext(contexts, logger, consumer, event, batches), event);
    };
    return tracedConsumer(name, { consumer, types: [...byType.keys()], handler });
  });
  return {
    runtime,
    services,
    relay,
    retention,
    consumers,
    contextFor: ({ identity, requestId = randomUUID(), logger: requestLogger = logger.child({ requestId }) }) =>
      Object.assign(requestContext(contexts, { requestId, identity, logger: requestLogger }), { services }),
  };
}

/**
 * Starts one subgraph: migrates its database, serves GraphQL with health, readiness and metrics,
 * starts its outbox relay and registers its event consumers.
 */
export async function startSubgraph<TDb extends PrismaLike<TTx>, TTx extends RawSql, D extends ContextData, S>(
  definition: SubgraphDefinition<TDb, TTx, D, S>,
  options: StartOptions,
): Promise<RunningSubgraph<TDb, TTx>> {
  const { config, logger, bus } = options;
  const name = definition.name;
  collectDefaultMetrics();
  const { runtime, relay, retention, consumers, contextFor } = await assembleSubgraph(definition, options);
  const { db } = runtime;
  try {
    await definition.startupCheck?.(runtime);
  } catch (error) {
    await db.$disconnect();
    throw error;
  }

  let accepting = true;
  const { app, server } = createHttpApp({
    logger,
    isAccepting: () => accepting,
    checkTimeoutMs: config.readinessCheckTimeoutMs,
    readiness: [{ name: 'database', check: async () => void (await db.$queryRawUnsafe('SELECT 1')) }],
  });
  app.use(httpServerSpans(name));

  const { typeDefs } = definition;
  const schema = traceResolvers(
    buildSubgraphSchema({
      typeDefs,
      resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
    }),
    name,
  );
  const apollo = new ApolloServer<ResolverContext<D, S>>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM/SIGINT (drain, then close databases and the bus), not each Apollo instance.
    stopOnTerminationSignals: false,
    formatError: formatError(),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.shutdown.graceMs }),
      // traces are OpenTelemetry's (platform/observability); no Apollo Studio usage traces (ftv1) per request
      ApolloServerPluginInlineTraceDisabled(),
      subgraphPoliciesPlugin(readPolicies(typeDefs)),
      inputHygienePlugin(),
      errorLogPlugin(logger),
      metricsPlugin(name),
      ...(definition.answerWithEvents?.length ? [committedEventsPlugin(definition.answerWithEvents)] : []),
    ],
    logger: apolloLogger(logger),
  });
  await apollo.start();

  const router = express.Router();
  await definition.routes?.(router, runtime);
  app.use(router);
  const verifier = new GatewayCredentialVerifier(loadSubgraphCredentialKeys({ keys: config.gatewayTrust.credentialKeys, subgraph: name, dataDir: config.dataDir }), name);
  const toolingKey = loadToolingKey({ toolingKey: config.gatewayTrust.toolingKey, dataDir: config.dataDir, production: config.env === 'production' });
  app.use(
    '/graphql',
    express.json({ limit: '1mb', verify: keepRawBody }),
    requireGatewayCredential({ verifier, toolingKey, logger }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const caller = verifiedCaller(res);
        const requestId = caller.requestId ?? requestIdFrom(req.headers);
        res.setHeader('x-request-id', requestId);
        return contextFor({ requestId, identity: caller.identity });
      },
    }),
  );
  app.use(jsonErrorHandler(logger));

  for (const consumer of consumers) await bus.consume(consumer);
  const port = await listen(server, config.port, config.host);
  relay.start();
  retention.start();
  const unwatch = watchSubgraph({ service: name, schema: name, db, bus });
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/graphql`;
  logger.info({ url }, 'subgraph ready');

  return {
    name,
    url,
    port,
    runtime,
    relay,
    retention,
    consumers,
    beginShutdown() {
      accepting = false;
    },
    async stop() {
      accepting = false;
      await apollo.stop();
      await relay.stop();
      await retention.stop();
      unwatch();
      await db.$disconnect();
    },
  };
}
