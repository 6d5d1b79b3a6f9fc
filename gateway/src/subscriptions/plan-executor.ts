// The one file that leans on @apollo/gateway beyond its documented use: `executeQueryPlan` and
// `buildOperationContext` are exported but meant for the gateway itself, and the request context
// they read is built here by hand. tests/unit/subscription-executor-contract.test.ts guards every
// assumption made below; @apollo/* are pinned to exact versions in package.json.
import { isSubgraphFailureCode } from '../subgraph-fetch/resilience/subgraph-failure.js';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceMap } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { parse, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Logger } from '#platform/observability';
import type { GatewayContext } from '../context.js';
import type { EntityRef } from './subscription-fields.js';
import { EVENT_SERVICE, type SubscriptionPlan } from './subscription-plan.js';
import type { SupergraphState } from './supergraph-state.js';

type RequestContext = Parameters<typeof executeQueryPlan>[2];
type DataSourceResponse = ReturnType<GraphQLDataSource<GatewayContext>['process']>;
type SubgraphRequest = { query?: string; variables?: Record<string, unknown>; operationName?: string };

/** One subgraph request as the data source sends it: its subgraph and its body. */
function requestKey(serviceName: string, request: SubgraphRequest): string {
  return `${serviceName}\u0000${JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName })}`;
}

/**
 * Fetches of the rest sent with the entity fetch (see EarlyFetch), each handed once to the executor
 * when it asks for exactly that request, with the same caller; one it never asks for is dropped.
 */
export class EarlyAnswers {
  private readonly answers = new Map<string, DataSourceResponse>();

  add(key: string, answer: DataSourceResponse): void {
    // settled either way here: an answer nobody takes must not be an unhandled rejection
    answer.catch(() => undefined);
    this.answers.set(key, answer);
  }

  take(key: string): DataSourceResponse | undefined {
    const answer = this.answers.get(key);
    this.answers.delete(key);
    return answer;
  }

  get size(): number {
    return this.answers.size;
  }
}
type OperationContext = ReturnType<typeof buildOperationContext>;

/** What the executor needs of one subscription document, prepared once per document and schema. */
export interface ExecutableSubscription {
  state: SupergraphState;
  plan: SubscriptionPlan;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  source: string;
  operationContext: OperationContext;
}

export function executableSubscription(
  state: SupergraphState,
  plan: SubscriptionPlan,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | undefined,
  source: string,
): ExecutableSubscription {
  return {
    state,
    plan,
    document,
    operation,
    operationName,
    source,
    operationContext: buildOperationContext({ schema: state.apiSchema, operationDocument: document, operationName }),
  };
}

/** The outcome of the entity fetch: the entity as the caller may see it, or null with the subgraph's errors. */
export interface EntityFetchResult {
  entity: Record<string, unknown> | null;
  errors: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** Runs one subscription's plan for one event with one subscriber identity, through the gateway's own executor. */
export class PlanExecutor {
  /** `dataSources`: the gateway's own data sources by subgraph name (the ones its HTTP queries use). */
  constructor(
    private readonly dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>,
    private readonly logger: Logger,
  ) {}

  /**
   * The primary fetch as an entity fetch: the root field's selection of the entity the event names,
   * from the subgraph that owns the root field, with the caller's identity. Throws when the subgraph
   * cannot be reached (the caller retries); a null entity means the caller may not see it.
   */
  async fetchEntity(
    target: ExecutableSubscription,
    key: { id: string },
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<EntityFetchResult> {
    const { plan } = target;
    const source = this.dataSources.get(plan.entityFetch.serviceName);
    if (!source) throw new Error(`no data source for subgraph ${plan.entityFetch.serviceName}`);
    const fetchVariables: Record<string, unknown> = { representations: [{ __typename: plan.typename, id: key.id }] };
    for (const name of plan.entityFetch.variableUsages) if (variables[name] !== undefined) fetchVariables[name] = variables[name];
    const response = await source.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: plan.entityFetch.query, operationName: plan.entityFetch.operationName, variables: fetchVariables },
      incomingRequestContext: this.requestContext(target, variables, context) as Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>['incomingRequestContext'],
      context,
      document: plan.entityFetch.document,
      pathInIncomingRequest: [],
    });
    const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    const entity = Array.isArray(entities) && entities[0] && typeof entities[0] === 'object' ? (entities[0] as Record<string, unknown>) : null;
    // the data source answers an unreachable subgraph with an error naming it (resilience/), not a throw
    const unreachable = entity ? undefined : response.errors?.find((e) => isSubgraphFailureCode(e.extensions?.code));
    if (unreachable) throw new Error(unreachable.message);
    return { entity, errors: (response.errors ?? []) as EntityFetchResult['errors'] };
  }

  /**
   * A plain query to one subgraph with the caller's identity (the list a `since` subscription starts
   * with). Throws when the subgraph answers with errors and no data.
   */
  async query(
    target: ExecutableSubscription,
    serviceName: string,
    query: string,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<Record<string, unknown>> {
    const source = this.dataSources.get(serviceName);
    if (!source) throw new Error(`no data source for subgraph ${serviceName}`);
    const document = parse(query);
    const response = await source.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query, variables },
      incomingRequestContext: this.requestContext(target, variables, context) as Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>['incomingRequestContext'],
      context,
      document,
      pathInIncomingRequest: [],
    });
    if (!response.data) throw new Error(response.errors?.[0]?.message ?? `no data from ${serviceName}`);
    return response.data as Record<string, unknown>;
  }

  /**
   * Sends the rest's fetches whose input the event already names (the entity `root`, or `references`
   * behind its fields) now, with the caller's identity, as the executor would send them once the
   * entity fetch answered. `executeRest` uses each answer for that same request only.
   */
  sendEarly(
    target: ExecutableSubscription,
    root: EntityRef,
    references: Readonly<Record<string, EntityRef>>,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): EarlyAnswers {
    const early = new EarlyAnswers();
    for (const { fetch, field, typename, inputFields } of target.plan.early) {
      const entity = field === null ? root : references[field];
      const source = this.dataSources.get(fetch.serviceName);
      if (!entity || entity.typename !== typename || !source) continue;
      // built as executeQueryPlan builds it (executeFetch): the variables the fetch uses, then the representations
      const fetchVariables: Record<string, unknown> = {};
      for (const name of fetch.variableUsages ?? []) if (Object.hasOwn(variables, name) && variables[name] !== undefined) fetchVariables[name] = variables[name];
      fetchVariables.representations = [Object.fromEntries(inputFields.map((name) => [name, name === '__typename' ? entity.typename : entity.id]))];
      const request = { query: fetch.operation, variables: fetchVariables, operationName: fetch.operationName };
      early.add(
        requestKey(fetch.serviceName, request),
        source.process({
          kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
          request,
          incomingRequestContext: this.requestContext(target, variables, context) as Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>['incomingRequestContext'],
          context,
          document: fetch.operationDocumentNode,
          pathInIncomingRequest: [],
        }),
      );
    }
    return early;
  }

  /**
   * The rest of the plan, with the entity as the event's answer to the primary fetch: the client's
   * full result. A fetch whose request was sent early (`sendEarly`) takes that answer.
   */
  async executeRest(
    target: ExecutableSubscription,
    entity: Record<string, unknown>,
    variables: Record<string, unknown>,
    context: GatewayContext,
    early?: EarlyAnswers,
  ): Promise<ExecutionResult> {
    const { plan, state } = target;
    // the executor merges fetched fields into what it is given: every run gets its own copy
    const answer: GraphQLDataSource = { process: async () => ({ data: { [plan.responseKey]: structuredClone(entity) } }) };
    const sources: [string, GraphQLDataSource<GatewayContext>][] = [...this.dataSources].map(([name, source]) => [
      name,
      early?.size
        ? { process: (options) => early.take(requestKey(name, options.request)) ?? source.process(options) }
        : source,
    ]);
    const serviceMap: ServiceMap = { ...Object.fromEntries(sources), [EVENT_SERVICE]: answer };
    const result = await executeQueryPlan(
      plan.queryPlan,
      serviceMap,
      this.requestContext(target, variables, context),
      target.operationContext,
      state.supergraphSchema,
      state.apiSchemaModel,
    );
    return result as ExecutionResult;
  }

  /** The slice of Apollo Server's request context the executor and data sources read. */
  private requestContext(target: ExecutableSubscription, variables: Record<string, unknown>, context: GatewayContext): RequestContext {
    const logger = context.logger ?? this.logger;
    return {
      request: { query: target.source, operationName: target.operationName, variables },
      logger,
      schema: target.state.apiSchema,
      context,
      document: target.document,
      source: target.source,
      operationName: target.operationName ?? null,
      operation: target.operation,
      metrics: {},
      overallCachePolicy: undefined,
    } as unknown as RequestContext;
  }
}
