import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonConfig } from '#platform/config';
import { startTracing, type Tracing } from '#platform/observability';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Every process of the distributed stack registers the same tracer provider from its OTEL_* config;
// here the whole supergraph runs in this process, over real HTTP between gateway and subgraphs, and
// its spans land in memory.
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let sg: TestSupergraph;

beforeAll(async () => {
  tracing = startTracing({ service: 'test', config: loadCommonConfig({}).telemetry, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  sg = await startTestSupergraph();
});
afterAll(async () => {
  await sg?.stop();
  await tracing?.shutdown();
});

const ALICE = 'alice@acme.test';

const scopeOf = (span: ReadableSpan) => span.instrumentationScope.name;

describe('tracing a checkout', () => {
  it('follows one order from the client through the gateway, every subgraph, their SQL and the saga consumers in a single trace', async () => {
    const { products } = await sg.client.as<any>(ALICE, contract.storefront, { first: 1, search: 'Green Skillet' }, 'Catalog');
    const product = products.edges[0].node;
    exporter.reset();

    // the client starts the trace: the gateway continues it
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const token = await sg.client.tokenFor(ALICE);
    const placed = await sg.client.request<any>(
      contract.storefront,
      { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 1 }] } },
      { token, operationName: 'PlaceOrder', headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } },
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await sg.settle();
    const { order } = await sg.client.as<any>(ALICE, contract.storefront, { id: placed.data.placeOrder.id }, 'Order');
    expect(order.status).toBe('CONFIRMED');

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    // one tree: every span's parent is in the trace, except the gateway's, whose parent is the client's
    for (const span of spans) {
      const parent = span.parentSpanContext?.spanId;
      expect(parent === clientSpanId || byId.has(parent!), `${span.name} (${scopeOf(span)}) hangs under a span of this trace`).toBe(true);
    }

    const gatewayServer = spans.find((s) => scopeOf(s) === 'gateway' && s.kind === SpanKind.SERVER);
    expect(gatewayServer?.parentSpanContext?.spanId).toBe(clientSpanId);
    expect(gatewayServer?.attributes['graphql.operation.name']).toBe('PlaceOrder');
    // the gateway's own planning and per-subgraph fetch spans
    const names = new Set(spans.map((s) => s.name));
    expect(names).toContain('gateway.plan');
    const fetched = new Set(spans.filter((s) => s.name === 'gateway.fetch').map((s) => s.attributes.service));
    expect(fetched).toContain('orders');

    // each fetched subgraph served its part in a SERVER span under a gateway fetch
    for (const subgraph of fetched) {
      const server = spans.filter((s) => scopeOf(s) === subgraph && s.kind === SpanKind.SERVER);
      expect(server.length, `${String(subgraph)} server span`).toBeGreaterThan(0);
      expect(server.every((s) => byId.get(s.parentSpanContext!.spanId)?.name === 'gateway.fetch')).toBe(true);
    }
    expect(spans.some((s) => s.name === 'resolve Mutation.placeOrder' && scopeOf(s) === 'orders')).toBe(true);

    // the SQL with its statements: Prisma's instrumentation's for ORM calls, the platform's for raw statements (DriverSql)
    const sql = spans.filter((s) => s.name === 'prisma:client:db_query' || s.name === 'db_query');
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.some((s) => String(s.attributes['db.query.text']).includes('"OutboxEvent"'))).toBe(true);

    // the saga: each step published from an outbox and consumed in the same trace
    const consumed = (type: string, subgraph: string) => spans.find((s) => s.name === `process ${type}` && scopeOf(s) === subgraph && s.kind === SpanKind.CONSUMER);
    const published = (type: string) => spans.find((s) => s.name === `publish ${type}` && s.kind === SpanKind.PRODUCER);
    for (const [type, subgraph] of [
      ['orders.order.placed', 'inventory'],
      ['inventory.stock.reserved', 'payments'],
      ['payments.payment.captured', 'orders'],
      ['orders.order.confirmed', 'shipping'],
      ['orders.order.confirmed', 'inventory'],
    ] as const) {
      const consumer = consumed(type, subgraph);
      expect(consumer, `${subgraph} consumed ${type}`).toBeDefined();
      expect(byId.get(consumer!.parentSpanContext!.spanId)).toBe(published(type));
    }
    // a consumer's work (its SQL and the events it emits) hangs under its span
    const reserve = consumed('orders.order.placed', 'inventory')!;
    const under = (span: ReadableSpan, ancestor: ReadableSpan): boolean => {
      for (let at: ReadableSpan | undefined = span; at; at = byId.get(at.parentSpanContext?.spanId ?? '')) if (at === ancestor) return true;
      return false;
    };
    expect(sql.some((s) => under(s, reserve))).toBe(true);
    expect(under(published('inventory.stock.reserved')!, reserve)).toBe(true);

    const subgraphs = new Set(spans.map(scopeOf).filter((scope) => ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'].includes(scope)));
    expect([...subgraphs].sort()).toEqual(expect.arrayContaining(['inventory', 'orders', 'payments', 'shipping']));
  });

  it('keeps health checks and outbox polling out of traces', async () => {
    exporter.reset();
    await fetch(sg.gateway.url.replace(/\/graphql$/, '/readyz'));
    for (const s of Object.values(sg.subgraphs)) await s.relay.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
