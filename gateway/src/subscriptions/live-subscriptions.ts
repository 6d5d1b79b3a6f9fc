import type { Server } from 'node:http';
import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, ValidationRule } from 'graphql';
import type { EventBus } from '#platform/events';
import type { Logger } from '#platform/observability';
import { SigningKeyWatch } from '../auth/signing-key-watch.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { CloseCode, SCHEMA_RELOAD_CODE } from './close-codes.js';
import { EntityChanges } from './entity-changes.js';
import { EventIntake } from './event-intake.js';
import { guardFromPlugins } from './operation-guard.js';
import { OperationPreparer } from './operation-preparer.js';
import { PlanExecutor } from './plan-executor.js';
import { SubscriptionHub } from './subscription-hub.js';
import { buildSupergraphState, type SupergraphState } from './supergraph-state.js';
import { WebSocketEndpoint } from './websocket-endpoint.js';

export interface LiveSubscriptionsOptions {
  config: GatewayConfig;
  logger: Logger;
  gateway: ApolloGateway;
  httpServer: Server;
  /** The gateway's data sources by subgraph name (filled as the gateway builds them). */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  /** Where events come from: the embedded process's bus, or the gateway's own NATS connection. */
  events: EventBus;
  verifier: TokenVerifier;
  /** The request plugins that authorize HTTP operations; subscriptions pass the same. */
  policyPlugins: readonly ApolloServerPlugin<GatewayContext>[];
  validationRules?: readonly ValidationRule[];
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Where ended sessions are heard (logout, a reused refresh token, on any replica): their sockets close with 4440. */
  sessionEnds?: SessionEndsSource;
}

/** The gateway's record of ended sessions, as live sockets listen to it. */
export interface SessionEndsSource {
  onSessionEnded(listener: (sessionId: string, userId: string, tenantId: string) => void): () => void;
}

export interface LiveSubscriptions {
  /** Closes the sockets of an ended session with 4440 (also done on its own for the sessions `sessionEnds` reports). */
  endSession(sessionId: string): number;
  /** Reads the JWKS now and closes the sockets signed by a key it no longer lists with 4441 (also done every SUBSCRIPTION_KEY_CHECK_MS). */
  checkSigningKeys(): Promise<void>;
  /** Stops taking sockets and events, lets in-flight events reach their sockets (within the grace period), then closes them with 1001. */
  stop(): Promise<void>;
}

/**
 * Subscriptions at the gateway: graphql-ws on the GraphQL path, planned by the federation query
 * planner, fed by the event bus, executed per event by the gateway's own executor. Create it before
 * the gateway loads (it learns every schema load and update from the gateway).
 */
export function startLiveSubscriptions(options: LiveSubscriptionsOptions): LiveSubscriptions {
  const { config, logger } = options;
  const log = logger.child({ component: 'subscriptions' });
  let state: SupergraphState | undefined;

  // the intake feeds the hub; the hub tells the intake which tenants to listen to
  const hubRef: { current?: SubscriptionHub } = {};
  const intake = new EventIntake(options.events, new EntityChanges(), (change) => hubRef.current?.dispatch(change), log);
  const hub = new SubscriptionHub({
    executor: new PlanExecutor(options.dataSources, log),
    interest: intake,
    fetchConcurrency: config.subscriptions.fetchConcurrency,
    formatError: options.formatError,
    logger: log,
  });
  hubRef.current = hub;
  const preparer = new OperationPreparer(() => state, guardFromPlugins(options.policyPlugins), options.validationRules);
  const endpoint = new WebSocketEndpoint({
    httpServer: options.httpServer,
    path: '/graphql',
    maxPayloadBytes: config.maxBodyBytes,
    keepAliveMs: config.subscriptions.keepAliveMs,
    queueLimit: config.subscriptions.queueLimit,
    maxSocketsPerUser: config.subscriptions.maxSocketsPerUser,
    maxSocketsPerTenant: config.subscriptions.maxSocketsPerTenant,
    verifier: options.verifier,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
    preparer,
    hub,
    formatError: options.formatError,
    logger: log,
  });

  const unsubscribeSchema = options.gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const generation = (state?.generation ?? 0) + 1;
    state = buildSupergraphState(generation, apiSchema, coreSupergraphSdl);
    if (generation === 1) return;
    // plans were made for the old schema: end every subscription, clients resubscribe against the new one
    log.info({ generation }, 'supergraph changed: ending subscriptions');
    hub.endAll({
      data: null,
      errors: [{ message: 'The schema changed; subscribe again.', extensions: { code: SCHEMA_RELOAD_CODE } }],
    });
  });

  const endSession = (sessionId: string) => {
    const closed = endpoint.endSession(sessionId);
    if (closed > 0) log.info({ sessionId, closed }, 'session ended: sockets closed');
    return closed;
  };
  const unsubscribeSessions = options.sessionEnds?.onSessionEnded((sessionId) => endSession(sessionId));
  const keys = new SigningKeyWatch(
    config.jwksUrl,
    config.subscriptions.keyCheckMs,
    (current) => {
      const closed = endpoint.keepKeys(current);
      if (closed > 0) log.info({ closed }, 'signing key retired: sockets closed');
    },
    log,
  );
  keys.start();

  let stopping: Promise<void> | undefined;
  return {
    endSession,
    checkSigningKeys: () => keys.check(),
    stop() {
      stopping ??= (async () => {
        const deadline = Date.now() + config.subscriptions.shutdownGraceMs;
        const untilDeadline = () => new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
        unsubscribeSchema();
        unsubscribeSessions?.();
        keys.stop();
        endpoint.stopAccepting();
        await intake.stop();
        hub.stop();
        // in-flight events reach their sockets first, within the grace period
        await Promise.race([hub.settle(), untilDeadline()]);
        while (!endpoint.idle && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await endpoint.close(CloseCode.GoingAway, 'Server shutting down', Math.max(250, deadline - Date.now()));
        log.info('subscriptions stopped');
      })();
      return stopping;
    },
  };
}
