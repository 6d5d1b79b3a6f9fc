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
import { EVENT_SERVICE, type SubscriptionPlan } from './subscription-plan.js';
import type { SupergraphState } from './supergraph-state.js';

type RequestContext = Parameters<typeof executeQueryPlan>[2];
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

  /** The rest of the plan, with the entity as the event's answer to the primary fetch: the client's full result. */
  async executeRest(
    target: ExecutableSubscription,
    entity: Record<string, unknown>,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<ExecutionResult> {
    const { plan, state } = target;
    // the executor merges fetched fields into what it is given: every run gets its own copy
    const answer: GraphQLDataSource = { process: async () => ({ data: { [plan.responseKey]: structuredClone(entity) } }) };
    const serviceMap: ServiceMap = { ...Object.fromEntries(this.dataSources), [EVENT_SERVICE]: answer };
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
