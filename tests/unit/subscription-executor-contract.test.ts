import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { Supergraph } from '@apollo/federation-internals';
import type { PlanNode } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getOperationAST, parse, validate } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { acceptSecurityFeatures } from '../../gateway/src/auth/schema-policies.js';
import type { GatewayContext } from '../../gateway/src/context.js';
import { executableSubscription, PlanExecutor } from '../../gateway/src/subscriptions/plan-executor.js';
import { EVENT_SERVICE, planSubscription } from '../../gateway/src/subscriptions/subscription-plan.js';
import { buildSupergraphState } from '../../gateway/src/subscriptions/supergraph-state.js';
import { REPO_ROOT } from '#platform/config';
import { subgraphFiles } from '#contracts';
import { contract } from '../harness/operations.js';

// Subscriptions run on @apollo/gateway internals (gateway/src/subscriptions/plan-executor.ts): the
// query planner's subscription plans, `executeQueryPlan` with a request context built by hand, the
// data source protocol. These tests pin what that code assumes; an @apollo/* upgrade that breaks
// an assumption fails here, not in production.

const logger = pino({ level: 'silent' });
const sdl = acceptSecurityFeatures(readFileSync(resolve(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));
const state = buildSupergraphState(1, Supergraph.build(sdl).apiSchema().toGraphQLJSSchema(), sdl);
const context: GatewayContext = { requestId: 'contract-test-request', identity: { userId: 'u1', tenantId: 't1', role: 'ADMIN' }, authError: null, logger };

function target(document: string, operationName: string) {
  const parsed = parse(document);
  return executableSubscription(state, planSubscription(state, parsed, operationName), parsed, getOperationAST(parsed, operationName)!, operationName, document);
}

/** A data source that answers from a function and records what it was asked. */
function fake(answer: (variables: Record<string, any>) => Record<string, unknown>) {
  const calls: any[] = [];
  const source: GraphQLDataSource<GatewayContext> = {
    async process(options) {
      calls.push(options);
      return { data: answer(options.request.variables ?? {}) };
    },
  };
  return { source, calls };
}

function nodesOf(node: PlanNode | undefined): PlanNode[] {
  if (!node) return [];
  if (node.kind === 'Sequence' || node.kind === 'Parallel') return [node, ...node.nodes.flatMap(nodesOf)];
  if (node.kind === 'Flatten') return [node, ...nodesOf(node.node)];
  return [node];
}

describe('the @apollo/* packages subscriptions run on', () => {
  it('are pinned to exact versions, the installed ones, and the gateway shares our query planner', () => {
    const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    const apollo = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([name]) => name.startsWith('@apollo/'));
    expect(apollo.map(([name]) => name)).toEqual(expect.arrayContaining(['@apollo/gateway', '@apollo/query-planner', '@apollo/federation-internals', '@apollo/server']));
    const installed = (dir: string) => (JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { version: string }).version;
    for (const [name, pinned] of apollo) {
      expect(pinned, `${name} must be pinned exactly`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(installed(resolve(REPO_ROOT, 'node_modules', name)), `${name} installed`).toBe(pinned);
    }
    // no copy of its own under the gateway: the plans we make are the plans its executor knows
    for (const name of ['@apollo/query-planner', '@apollo/federation-internals']) {
      expect(existsSync(resolve(REPO_ROOT, 'node_modules/@apollo/gateway/node_modules', name)), `${name} nested under @apollo/gateway`).toBe(false);
    }
  });

  it('export the executor entry points and the data source request kind', () => {
    expect(typeof executeQueryPlan).toBe('function');
    expect(typeof buildOperationContext).toBe('function');
    expect(GraphQLDataSourceRequestKind.INCOMING_OPERATION).toBe('incoming operation');
  });

  it('still leave subscription plans to us: the executor refuses one', async () => {
    const live = target(contract.dashboard, 'LiveOrders');
    const requestContext = { request: { variables: {} }, context, logger, metrics: {} } as never;
    await expect(executeQueryPlan(live.plan.planned, {}, requestContext, live.operationContext, state.supergraphSchema, state.apiSchemaModel)).rejects.toThrow(/subscriptions not supported/i);
  });
});

describe('the query planner', () => {
  for (const [document, operationName, owner, typename] of [
    [contract.dashboard, 'LiveOrders', 'orders', 'Order'],
    [contract.dashboard, 'LiveStock', 'inventory', 'Stock'],
    [contract.storefront, 'OrderUpdated', 'orders', 'Order'],
  ] as const) {
    it(`plans ${operationName} as a primary fetch from ${owner} and entity fetches under the root field`, () => {
      const { plan } = target(document, operationName);
      const planned = plan.planned.node;
      expect(planned?.kind).toBe('Subscription');
      if (planned?.kind !== 'Subscription') return;
      expect(planned.primary).toMatchObject({ kind: 'Fetch', serviceName: owner, operationKind: 'subscription' });
      expect(planned.primary.requires).toBeUndefined();
      for (const node of nodesOf(planned.rest)) {
        expect(['Sequence', 'Parallel', 'Flatten', 'Fetch']).toContain(node.kind);
        if (node.kind === 'Flatten') expect(node.path[0]).toBe(plan.responseKey);
        if (node.kind === 'Fetch') expect(node.requires).toBeDefined();
      }
      expect(plan.typename).toBe(typename);
      expect(plan.entityFetch.serviceName).toBe(owner);
      // the entity fetch made of the primary fetch is a valid operation of the owning subgraph
      const subgraphSchema = buildSubgraphSchema({ typeDefs: subgraphFiles(owner).typeDefs });
      expect(validate(subgraphSchema, plan.entityFetch.document)).toEqual([]);
    });
  }
});

describe('the executor, run the way subscriptions run it', () => {
  it("fetches the event's entity from the owning subgraph with the caller's context", async () => {
    const orders = fake(() => ({ _entities: [{ __typename: 'Order', id: 'o1', status: 'PENDING', statusReason: null }] }));
    const executor = new PlanExecutor(new Map([['orders', orders.source]]), logger);
    const live = target(contract.storefront, 'OrderUpdated');
    const fetched = await executor.fetchEntity(live, { id: 'o1' }, { id: 'o1' }, context);
    expect(fetched.entity).toEqual({ __typename: 'Order', id: 'o1', status: 'PENDING', statusReason: null });
    expect(orders.calls[0]).toMatchObject({
      kind: 'incoming operation',
      context,
      request: { variables: { representations: [{ __typename: 'Order', id: 'o1' }] } },
    });
    expect(orders.calls[0].request.variables).not.toHaveProperty('id');
  });

  it('reads a null entity as one the caller may not see', async () => {
    const orders = fake(() => ({ _entities: [null] }));
    const executor = new PlanExecutor(new Map([['orders', orders.source]]), logger);
    expect((await executor.fetchEntity(target(contract.storefront, 'OrderUpdated'), { id: 'o2' }, {}, context)).entity).toBeNull();
  });

  it('runs the rest of the plan after the event answers the primary fetch, and shapes the result as the client asked', async () => {
    const payments = fake((v) => ({ _entities: v.representations.map(() => ({ payment: { status: 'CAPTURED' } })) }));
    const shipping = fake((v) => ({ _entities: v.representations.map(() => ({ shipment: null })) }));
    const executor = new PlanExecutor(new Map([['payments', payments.source], ['shipping', shipping.source]]), logger);
    const live = target(contract.storefront, 'OrderUpdated');
    const result = await executor.executeRest(live, { __typename: 'Order', id: 'o1', status: 'CONFIRMED', statusReason: null }, { id: 'o1' }, context);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ orderUpdated: { id: 'o1', status: 'CONFIRMED', statusReason: null, payment: { status: 'CAPTURED' }, shipment: null } });
    for (const call of [...payments.calls, ...shipping.calls]) {
      expect(call.context).toBe(context);
      expect(call.request.variables.representations).toEqual([{ __typename: 'Order', id: 'o1' }]);
    }
  });

  it('keeps aliases and nested entity fetches of the root field', async () => {
    const accounts = fake((v) => ({ _entities: v.representations.map((r: { id: string }) => ({ email: `${r.id}@acme.test` })) }));
    const executor = new PlanExecutor(new Map([['accounts', accounts.source]]), logger);
    const document = 'subscription Aliased { live: orderUpdated { orderId: id customer { email } } }';
    const parsed = parse(document);
    const live = executableSubscription(state, planSubscription(state, parsed, 'Aliased'), parsed, getOperationAST(parsed, 'Aliased')!, 'Aliased', document);
    expect(live.plan.responseKey).toBe('live');
    const result = await executor.executeRest(live, { orderId: 'o1', customer: { __typename: 'User', id: 'alice' } }, {}, context);
    expect(result.data).toEqual({ live: { orderId: 'o1', customer: { email: 'alice@acme.test' } } });
    expect(live.plan.queryPlan.node).toMatchObject({ kind: 'Sequence', nodes: [{ kind: 'Fetch', serviceName: EVENT_SERVICE }, expect.anything()] });
  });

  it("sends the rest's fetches that take only the event's entity with the entity fetch, and the rest takes their answers", async () => {
    const payments = fake((v) => ({ _entities: v.representations.map(() => ({ payment: { status: 'CAPTURED' } })) }));
    const shipping = fake((v) => ({ _entities: v.representations.map(() => ({ shipment: null })) }));
    const executor = new PlanExecutor(new Map([['payments', payments.source], ['shipping', shipping.source]]), logger);
    const live = target(contract.storefront, 'OrderUpdated');
    expect(live.plan.early.map((e) => [e.fetch.serviceName, e.field, e.typename]).sort()).toEqual([['payments', null, 'Order'], ['shipping', null, 'Order']]);
    const early = executor.sendEarly(live, { typename: 'Order', id: 'o1' }, {}, { id: 'o1' }, context);
    expect([payments.calls.length, shipping.calls.length]).toEqual([1, 1]);
    expect(payments.calls[0].context).toBe(context);
    const result = await executor.executeRest(live, { __typename: 'Order', id: 'o1', status: 'CONFIRMED', statusReason: null }, { id: 'o1' }, context, early);
    expect(result.data).toEqual({ orderUpdated: { id: 'o1', status: 'CONFIRMED', statusReason: null, payment: { status: 'CAPTURED' }, shipment: null } });
    // answered early: not fetched a second time
    expect([payments.calls.length, shipping.calls.length]).toEqual([1, 1]);
  });

  it('fetches again when the request sent early is not the one the rest sends', async () => {
    const payments = fake((v) => ({ _entities: v.representations.map((r: { id: string }) => ({ payment: { status: r.id === 'o1' ? 'CAPTURED' : 'FAILED' } })) }));
    const shipping = fake((v) => ({ _entities: v.representations.map(() => ({ shipment: null })) }));
    const executor = new PlanExecutor(new Map([['payments', payments.source], ['shipping', shipping.source]]), logger);
    const live = target(contract.storefront, 'OrderUpdated');
    const early = executor.sendEarly(live, { typename: 'Order', id: 'o9' }, {}, { id: 'o1' }, context);
    const result = await executor.executeRest(live, { __typename: 'Order', id: 'o1', status: 'CONFIRMED', statusReason: null }, { id: 'o1' }, context, early);
    expect(result.data).toMatchObject({ orderUpdated: { id: 'o1', payment: { status: 'CAPTURED' } } });
    expect(payments.calls.map((c) => c.request.variables.representations[0].id)).toEqual(['o9', 'o1']);
  });

  it('sends a fetch under a field early when the event names its entity, whatever the alias', async () => {
    const accounts = fake((v) => ({ _entities: v.representations.map((r: { id: string }) => ({ email: `${r.id}@acme.test` })) }));
    const executor = new PlanExecutor(new Map([['accounts', accounts.source]]), logger);
    const document = 'subscription Buyer { orderUpdated { id buyer: customer { email } } }';
    const parsed = parse(document);
    const live = executableSubscription(state, planSubscription(state, parsed, 'Buyer'), parsed, getOperationAST(parsed, 'Buyer')!, 'Buyer', document);
    expect(live.plan.early.map((e) => [e.fetch.serviceName, e.field, e.typename])).toEqual([['accounts', 'customer', 'User']]);
    const early = executor.sendEarly(live, { typename: 'Order', id: 'o1' }, { customer: { typename: 'User', id: 'alice' } }, {}, context);
    const result = await executor.executeRest(live, { id: 'o1', buyer: { __typename: 'User', id: 'alice' } }, {}, context, early);
    expect(result.data).toEqual({ orderUpdated: { id: 'o1', buyer: { email: 'alice@acme.test' } } });
    expect(accounts.calls).toHaveLength(1);
  });
});
