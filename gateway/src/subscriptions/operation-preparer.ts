import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { GatewayContext } from '../context.js';
import type { OperationGuard } from './operation-guard.js';
import { executableSubscription, type ExecutableSubscription } from './plan-executor.js';
import { MAX_INITIAL_ENTITIES, SUBSCRIPTION_FIELDS, type SubscriptionField } from './subscription-fields.js';
import { planSubscription, SubscriptionPlanError } from './subscription-plan.js';
import type { SupergraphState } from './supergraph-state.js';

/** A subscribe message made ready to run: its document planned, the caller allowed, its variables coerced. */
export interface SubscribeRequest {
  target: ExecutableSubscription;
  field: SubscriptionField;
  /** Variables as the client sent them (what the plan's fetches send on). */
  variables: Record<string, unknown>;
  /** The root field's arguments, coerced. */
  args: Record<string, unknown>;
  /** Same document, operation, schema and variables: the same key. */
  key: string;
}

export interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

interface Compiled {
  id: number;
  target: ExecutableSubscription;
  field: SubscriptionField;
}

/** Documents kept planned; clients send a handful of documents many times over. */
const PLAN_CACHE_SIZE = 1_000;

/** The error with the `extensions.code` Apollo Server gives its kind over HTTP, so clients handle both transports alike. */
function withCode(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message, {
        nodes: e.nodes,
        source: e.source,
        positions: e.positions,
        path: e.path,
        originalError: e.originalError,
        extensions: { ...e.extensions, code: e.extensions.code ?? code },
      }),
  );
}

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } });
}

/** JSON with object keys sorted, so equal variables give equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Turns subscribe messages into runnable subscriptions: parse, validate and plan once per document
 * and schema (cached), then per subscriber the same authorization as HTTP and variable coercion.
 */
export class OperationPreparer {
  private readonly compiled = new Map<string, Compiled | readonly GraphQLError[]>();
  private nextId = 1;

  constructor(
    private readonly state: () => SupergraphState | undefined,
    private readonly guard: OperationGuard,
    private readonly validationRules: readonly ValidationRule[] = [],
  ) {}

  async prepare(payload: SubscribePayload, context: GatewayContext): Promise<SubscribeRequest | readonly GraphQLError[]> {
    const state = this.state();
    if (!state) return [new GraphQLError('The gateway is still loading its schema; try again.', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
    const operationName = payload.operationName ?? undefined;
    const compiled = this.compile(state, payload.query, operationName);
    if (Array.isArray(compiled)) return compiled;
    const { target, field, id } = compiled as Compiled;

    try {
      await this.guard({
        context,
        schema: state.apiSchema,
        document: target.document,
        operation: target.operation,
        operationName,
        source: payload.query,
        variables: payload.variables ?? {},
      });
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }

    const coerced = getVariableValues(state.apiSchema, target.operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return withCode(coerced.errors, 'BAD_USER_INPUT');
    const fieldDef = state.apiSchema.getSubscriptionType()!.getFields()[target.plan.fieldName]!;
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(fieldDef, target.plan.rootField, coerced.coerced);
    } catch (error) {
      if (error instanceof GraphQLError) return withCode([error], 'BAD_USER_INPUT');
      throw error;
    }
    if (field.initial(args).length > MAX_INITIAL_ENTITIES) {
      return [new GraphQLError(`Subscribe to at most ${MAX_INITIAL_ENTITIES} entities at once.`, { extensions: { code: 'BAD_USER_INPUT' } })];
    }
    return { target, field, variables: payload.variables ?? {}, args, key: `${id}|${canonical(coerced.coerced)}` };
  }

  private compile(state: SupergraphState, source: string, operationName: string | undefined): Compiled | readonly GraphQLError[] {
    const cacheKey = `${state.generation}\u0000${operationName ?? ''}\u0000${source}`;
    const cached = this.compiled.get(cacheKey);
    if (cached) {
      this.compiled.delete(cacheKey);
      this.compiled.set(cacheKey, cached);
      return cached;
    }
    const outcome = this.compileUncached(state, source, operationName);
    this.compiled.set(cacheKey, outcome);
    if (this.compiled.size > PLAN_CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
    return outcome;
  }

  private compileUncached(state: SupergraphState, source: string, operationName: string | undefined): Compiled | readonly GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      if (error instanceof GraphQLError) return withCode([error], 'GRAPHQL_PARSE_FAILED');
      throw error;
    }
    const errors = validate(state.apiSchema, document, [...specifiedRules, ...this.validationRules]);
    if (errors.length) return withCode(errors, 'GRAPHQL_VALIDATION_FAILED');
    const operation: OperationDefinitionNode | null | undefined = getOperationAST(document, operationName);
    if (!operation) return [badRequest(operationName ? `Unknown operation "${operationName}".` : 'Name the operation to run: the document has several.')];
    if (operation.operation !== 'subscription') {
      return [badRequest('This socket serves subscriptions; send queries and mutations over HTTP POST to the same URL.')];
    }
    let plan;
    try {
      plan = planSubscription(state, document, operationName);
    } catch (error) {
      if (error instanceof SubscriptionPlanError || error instanceof GraphQLError) return [badRequest(error.message)];
      throw error;
    }
    const field = SUBSCRIPTION_FIELDS[plan.fieldName];
    if (!field || field.typename !== plan.typename) return [badRequest(`Subscription.${plan.fieldName} is not served by this gateway.`)];
    return { id: this.nextId++, field, target: executableSubscription(state, plan, document, operation, operationName, source) };
  }
}
