import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { SUBGRAPH_NAMES } from '#contracts';
import { DEMO_PASSWORD } from '../../prisma/demo-data.js';
import { type ProcessStack, waitFor } from './process-stack.js';

// The fault scenarios of tests/postgres/subgraph-faults.test.ts and bench/chaos, on a ProcessStack:
// each drives client load through the gateway, breaks something for real (kill -9, SIGSTOP, NATS
// stopped, gateways restarted), lets it come back and returns what clients saw. Tests assert on
// the report; the bench prints it.

/** Connections per subgraph the fault stack allows (SUBGRAPH_MAX_CONCURRENCY). */
export const FAULT_MAX_CONCURRENCY = 8;

/**
 * The gateway settings of the fault stack (tests/postgres/subgraph-faults.test.ts and bench/chaos):
 * short timeouts for the subgraphs the faults hang, the default for the others, so a busy machine
 * does not turn slow answers of healthy subgraphs into errors.
 */
export const FAULT_SETTINGS: Record<string, string> = {
  SUBGRAPH_TIMEOUT_MS_INVENTORY: '2500',
  SUBGRAPH_TIMEOUT_MS_ORDERS: '2500',
  SUBGRAPH_MAX_CONCURRENCY: String(FAULT_MAX_CONCURRENCY),
  SUBGRAPH_BREAKER_FAILURES: '5',
  SUBGRAPH_BREAKER_RESET_MS: '1000',
  SHUTDOWN_DRAIN_DELAY_MS: '1500',
};

export interface ScenarioReport {
  scenario: string;
  /** Requests the clients sent during the scenario. */
  requests: number;
  /** Answers a client could not use as designed: transport failures, data null where partial data was due, unexpected codes. */
  clientErrors: number;
  /** Answers with partial data and a SUBGRAPH_* error, or OUTCOME_UNKNOWN / SUBGRAPH_UNAVAILABLE for a checkout: what the design promises. */
  degraded: number;
  /** From the broken part being back (ready) until clients get complete answers again. */
  recoveryMs: number | undefined;
  /** Orders a client was told exist (directly or by retrying with its key) that do not, or never settled. */
  lost: number;
  /** Orders beyond one per idempotency key, or payments beyond one per order. */
  doubled: number;
  /** Scenario-specific observations (codes seen, connections, latencies). */
  details: Record<string, unknown>;
}

interface Answer {
  /** HTTP status, or 0 when the request failed at the transport. */
  status: number;
  data: any;
  errors: { message: string; extensions?: Record<string, any> }[];
  ms: number;
}

export async function post(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { data?: unknown; errors?: Answer['errors'] };
    return { status: response.status, data: body.data, errors: body.errors ?? [], ms: performance.now() - started };
  } catch (error) {
    return { status: 0, data: undefined, errors: [{ message: (error as Error).message, extensions: { code: 'TRANSPORT' } }], ms: performance.now() - started };
  }
}

export async function login(url: string, email = 'alice@acme.test'): Promise<string> {
  const answer = await post(url, 'mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }', {
    t: email.split('@')[1]!.split('.')[0],
    e: email,
    p: DEMO_PASSWORD,
  });
  if (!answer.data?.login?.token) throw new Error(`login failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.login.token as string;
}

const codes = (answer: Answer) => answer.errors.map((e) => String(e.extensions?.code ?? 'NONE'));

/** `concurrency` workers sending `send()` back to back until stopped; every answer kept with its time. */
class Load {
  readonly answers: { at: number; answer: Answer }[] = [];
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly send: () => Promise<Answer>,
    private readonly concurrency: number,
  ) {}

  start(): this {
    this.running = true;
    this.workers = Array.from({ length: this.concurrency }, async () => {
      while (this.running) {
        const answer = await this.send();
        this.answers.push({ at: Date.now(), answer });
      }
    });
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => (values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]! : undefined);

const PRODUCT_NAMES = 'query ProductNames { products(first: 5) { edges { node { id name } } } }';
const PRODUCT_WITH_STOCK = 'query ProductWithStock($id: ID!) { product(id: $id) { id name stock { available } } }';
const PLACE_ORDER = 'mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';

async function someProduct(url: string, token: string): Promise<string> {
  const answer = await post(url, 'query { products(first: 50) { edges { node { id stock { available } } } } }', {}, token);
  const edges = answer.data.products.edges as { node: { id: string; stock: { available: number } } }[];
  return edges.sort((a, b) => b.node.stock.available - a.node.stock.available)[0]!.node.id;
}

/** A product answer is as designed when it has its catalog fields, and stock or a SUBGRAPH_* error naming inventory. */
function productVerdict(answer: Answer): 'complete' | 'degraded' | 'error' {
  if (answer.status !== 200 || !answer.data?.product?.name) return 'error';
  if (answer.errors.length === 0 && answer.data.product.stock) return 'complete';
  const designed = answer.data.product.stock === null && answer.errors.length > 0 && answer.errors.every((e) => /^SUBGRAPH_(UNAVAILABLE|TIMEOUT)$/.test(e.extensions?.code) && e.extensions?.subgraph === 'inventory');
  return designed ? 'degraded' : 'error';
}

function namesVerdict(answer: Answer): boolean {
  return answer.status === 200 && answer.errors.length === 0 && answer.data?.products?.edges?.length > 0;
}

/** A few distinct unexpected answers, for the report. */
function unexpectedAnswers(answers: Answer[]): string[] {
  return [...new Set(answers.map((a) => `${a.status} ${JSON.stringify(a.errors.map((e) => [e.extensions?.code, e.extensions?.subgraph, e.message]))} data=${JSON.stringify(a.data)}`))].slice(0, 5);
}

/** When clients got complete answers again: the first complete answer after `since` (ms since epoch). */
function recoveredAt(answers: { at: number; answer: Answer }[], since: number, complete: (a: Answer) => boolean): number | undefined {
  return answers.find(({ at, answer }) => at >= since && complete(answer))?.at;
}

/** kill -9 a subgraph (inventory) under load, start it again, wait for complete answers. */
export async function killSubgraphUnderLoad(stack: ProcessStack, options: { downMs?: number } = {}): Promise<ScenarioReport> {
  const url = stack.gatewayUrl(0);
  const token = await login(url);
  const productId = await someProduct(url, token);
  const untouched = new Load(() => post(url, PRODUCT_NAMES, {}, token), 3).start();
  const touching = new Load(() => post(url, PRODUCT_WITH_STOCK, { id: productId }, token), 3).start();
  await sleep(1_000);
  stack.signal('inventory', 'SIGKILL');
  await sleep(options.downMs ?? 4_000);
  await stack.restartSubgraph('inventory');
  const readyAt = Date.now();
  const recovered = await waitFor('complete answers after inventory restarted', async () => recoveredAt(touching.answers, readyAt, (a) => productVerdict(a) === 'complete'), 60_000);
  await sleep(500);
  await Promise.all([untouched.stop(), touching.stop()]);
  const verdicts = touching.answers.map(({ answer }) => productVerdict(answer));
  return {
    scenario: 'kill -9 inventory under load',
    requests: untouched.answers.length + touching.answers.length,
    clientErrors: untouched.answers.filter(({ answer }) => !namesVerdict(answer)).length + verdicts.filter((v) => v === 'error').length,
    degraded: verdicts.filter((v) => v === 'degraded').length,
    recoveryMs: recovered - readyAt,
    lost: 0,
    doubled: 0,
    details: {
      untouchedRequests: untouched.answers.length,
      untouchedFailed: untouched.answers.filter(({ answer }) => !namesVerdict(answer)).length,
      codes: [...new Set(touching.answers.flatMap(({ answer }) => codes(answer)))].sort(),
      unexpected: unexpectedAnswers([...untouched.answers.filter(({ answer }) => !namesVerdict(answer)), ...touching.answers.filter(({ answer }) => productVerdict(answer) === 'error')].map(({ answer }) => answer)),
    },
  };
}

/** The socket inodes a process holds open, from /proc/<pid>/fd. */
function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** ESTABLISHED TCP connections from process `pid` to a local port, from /proc/net/tcp{,6} and the process's fds. */
export function connectionsTo(port: number, pid: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const owned = socketInodesOf(pid);
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // remote address is field 2, state field 3 (01 = ESTABLISHED)
      if (fields[2]?.endsWith(`:${hex}`) && fields[3] === '01' && owned.has(fields[9] ?? '')) count += 1;
    }
  }
  return count;
}

/** SIGSTOP a subgraph (inventory) under load: timeouts, then fast failure once its circuit opens, bounded connections; SIGCONT. */
export async function stopSubgraphUnderLoad(stack: ProcessStack, options: { stoppedMs?: number; concurrency?: number } = {}): Promise<ScenarioReport> {
  const url = stack.gatewayUrl(0);
  const token = await login(url);
  const productId = await someProduct(url, token);
  const port = Number(new URL(stack.subgraphs.inventory.spec.baseUrl).port);
  const touching = new Load(() => post(url, PRODUCT_WITH_STOCK, { id: productId }, token), options.concurrency ?? 16).start();
  await sleep(1_000);
  let maxConnections = 0;
  const gatewayPid = stack.gateways[0]!.pid!;
  const sampler = setInterval(() => void (maxConnections = Math.max(maxConnections, connectionsTo(port, gatewayPid))), 50);
  const stoppedAt = Date.now();
  stack.signal('inventory', 'SIGSTOP');
  await sleep(options.stoppedMs ?? 8_000);
  stack.signal('inventory', 'SIGCONT');
  const resumedAt = Date.now();
  clearInterval(sampler);
  const recovered = await waitFor('complete answers after inventory resumed', async () => recoveredAt(touching.answers, resumedAt, (a) => productVerdict(a) === 'complete'), 60_000);
  await sleep(500);
  await touching.stop();
  const during = touching.answers.filter(({ at }) => at > stoppedAt && at <= resumedAt);
  const refused = during.filter(({ answer }) => answer.errors.some((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE'));
  const timedOut = during.filter(({ answer }) => answer.errors.some((e) => e.extensions?.code === 'SUBGRAPH_TIMEOUT'));
  const verdicts = touching.answers.map(({ answer }) => productVerdict(answer));
  return {
    scenario: 'SIGSTOP inventory under load',
    requests: touching.answers.length,
    clientErrors: verdicts.filter((v) => v === 'error').length,
    degraded: verdicts.filter((v) => v === 'degraded').length,
    recoveryMs: recovered - resumedAt,
    lost: 0,
    doubled: 0,
    details: {
      timedOut: timedOut.length,
      failedFast: refused.length,
      medianMsTimedOut: median(timedOut.map(({ answer }) => answer.ms)),
      medianMsFailedFast: median(refused.map(({ answer }) => answer.ms)),
      maxConnectionsToInventory: maxConnections,
      unexpected: unexpectedAnswers(touching.answers.map(({ answer }) => answer).filter((a) => productVerdict(a) === 'error')),
    },
  };
}

/** SIGSTOP orders while checkouts are sent; every OUTCOME_UNKNOWN is resolved by retrying with its key; nothing lost or charged twice. */
export async function stopOrdersDuringCheckout(stack: ProcessStack, options: { stoppedMs?: number } = {}): Promise<ScenarioReport> {
  const url = stack.gatewayUrl(0);
  const token = await login(url);
  const productId = await someProduct(url, token);
  const keys = new Map<string, { code: string; orderId?: string }>();
  const place = async (key: string) => post(url, PLACE_ORDER, { input: { idempotencyKey: key, items: [{ productId, quantity: 1 }] } }, token);
  const load = new Load(async () => {
    const key = randomUUID();
    const answer = await place(key);
    keys.set(key, { code: answer.data?.placeOrder ? 'OK' : codes(answer)[0] ?? 'NONE', orderId: answer.data?.placeOrder?.id });
    return answer;
  }, 4).start();
  await sleep(1_000);
  stack.signal('orders', 'SIGSTOP');
  await sleep(options.stoppedMs ?? 5_000);
  stack.signal('orders', 'SIGCONT');
  const resumedAt = Date.now();
  await sleep(1_500);
  await load.stop();

  // what a client does with OUTCOME_UNKNOWN: the same request again, same key, until it answers
  const unknown = [...keys].filter(([, k]) => k.code === 'OUTCOME_UNKNOWN');
  let resolvedAt = resumedAt;
  for (const [key, entry] of unknown) {
    const answer = await waitFor(`a retry of ${key} to answer`, async () => {
      const retry = await place(key);
      return retry.data?.placeOrder ? retry : undefined;
    }, 60_000, 250);
    entry.orderId = answer.data.placeOrder.id;
    resolvedAt = Math.max(resolvedAt, Date.now());
  }
  const acknowledged = [...keys].filter(([, k]) => k.orderId).map(([key, k]) => ({ key, orderId: k.orderId! }));
  const refusedKeys = [...keys].filter(([, k]) => k.code === 'SUBGRAPH_UNAVAILABLE').map(([key]) => key);

  // every order the run made, by key, settled (confirmed or cancelled for a reason)
  const allKeys = [...keys.keys()];
  const settled = await waitFor('every order of the run to settle', async () => {
    const rows = await stack.sql<{ key: string; id: string; status: string }>('orders', `SELECT "idempotencyKey" AS key, id::text, status::text FROM orders."Order" WHERE "idempotencyKey" = ANY($1)`, [allKeys]);
    return rows.every((r) => r.status !== 'PENDING') ? rows : undefined;
  }, 120_000, 500).catch(async () => stack.sql<{ key: string; id: string; status: string }>('orders', `SELECT "idempotencyKey" AS key, id::text, status::text FROM orders."Order" WHERE "idempotencyKey" = ANY($1)`, [allKeys]));
  const byKey = new Map<string, string[]>();
  for (const row of settled) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.id]);
  const lost = acknowledged.filter(({ key, orderId }) => !byKey.get(key)?.includes(orderId)).length + settled.filter((r) => r.status === 'PENDING').length;
  const ordersPerKeyExtra = [...byKey.values()].reduce((n, ids) => n + ids.length - 1, 0);
  // a refused checkout must have changed nothing: an order for its key would be one the client was told did not happen
  const refusedButPlaced = refusedKeys.filter((key) => byKey.has(key)).length;
  const orderIds = settled.map((r) => r.id);
  const payments = await stack.sql<{ orderId: string; n: number }>('payments', `SELECT "orderId"::text AS "orderId", count(*)::int AS n FROM payments."Payment" WHERE "orderId" = ANY($1::uuid[]) GROUP BY "orderId"`, [orderIds]);
  const paymentsExtra = payments.reduce((n, p) => n + p.n - 1, 0);
  const statuses = settled.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  const outcomeCounts = [...keys.values()].reduce<Record<string, number>>((acc, k) => ({ ...acc, [k.code]: (acc[k.code] ?? 0) + 1 }), {});
  return {
    scenario: 'SIGSTOP orders during checkout',
    requests: keys.size + unknown.length,
    clientErrors: [...keys.values()].filter((k) => !['OK', 'OUTCOME_UNKNOWN', 'SUBGRAPH_UNAVAILABLE'].includes(k.code)).length + refusedButPlaced,
    degraded: unknown.length + refusedKeys.length,
    recoveryMs: resolvedAt - resumedAt,
    lost,
    doubled: ordersPerKeyExtra + paymentsExtra,
    details: { outcomes: outcomeCounts, unknownResolvedByRetry: unknown.filter(([, k]) => k.orderId).length, refusedButPlaced, orders: statuses },
  };
}

/** Stops NATS while checkouts go on; they wait in the outboxes and settle once NATS is back. */
export async function restartNats(stack: ProcessStack, options: { downMs?: number; orders?: number } = {}): Promise<ScenarioReport> {
  const url = stack.gatewayUrl(0);
  const token = await login(url);
  const productId = await someProduct(url, token);
  const answers: Answer[] = [];
  const ids: string[] = [];
  const place = async () => {
    const answer = await post(url, PLACE_ORDER, { input: { idempotencyKey: randomUUID(), items: [{ productId, quantity: 1 }] } }, token);
    answers.push(answer);
    if (answer.data?.placeOrder?.id) ids.push(answer.data.placeOrder.id);
  };
  const count = options.orders ?? 5;
  for (let i = 0; i < count; i += 1) await place();
  await stack.nats.stop();
  for (let i = 0; i < count; i += 1) await place();
  await sleep(options.downMs ?? 3_000);
  await stack.nats.start();
  const backAt = Date.now();
  const pendingOf = async () =>
    (await stack.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM orders."Order" WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`, [ids]))[0]!.n;
  const backlogOf = async () => {
    let total = 0;
    for (const name of SUBGRAPH_NAMES) total += (await stack.sql<{ n: number }>(name, `SELECT count(*)::int AS n FROM "${name}"."OutboxEvent" WHERE "publishedAt" IS NULL`))[0]!.n;
    return total;
  };
  const settledAt = await waitFor('orders placed around the NATS restart to settle and the outboxes to drain', async () => ((await pendingOf()) === 0 && (await backlogOf()) === 0 ? Date.now() : undefined), 120_000, 250).catch(() => undefined);
  return {
    scenario: 'NATS restart during checkout',
    requests: answers.length,
    clientErrors: answers.filter((a) => !a.data?.placeOrder).length,
    degraded: 0,
    recoveryMs: settledAt === undefined ? undefined : settledAt - backAt,
    lost: await pendingOf(),
    doubled: 0,
    details: { outboxBacklogAfter: await backlogOf() },
  };
}

/** Two gateways behind a round-robin client that, like a load balancer, skips one whose /readyz is not 200; each restarted in turn. */
export async function rollingGatewayRestart(stack: ProcessStack): Promise<ScenarioReport> {
  if (stack.gateways.length < 2) throw new Error('a rolling restart needs two gateways');
  const token = await login(stack.gatewayUrl(0));
  const productId = await someProduct(stack.gatewayUrl(0), token);
  const roots = stack.gateways.map((g) => g.spec.baseUrl);
  const ready = roots.map(() => true);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await Promise.all(
        roots.map(async (root, i) => {
          const response = await fetch(`${root}/readyz`, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
          await response?.body?.cancel().catch(() => undefined);
          ready[i] = response?.status === 200;
        }),
      );
      await sleep(200);
    }
  })();
  let next = 0;
  const pick = () => {
    for (let tried = 0; tried < roots.length; tried += 1) {
      next = (next + 1) % roots.length;
      if (ready[next]) return roots[next]!;
    }
    return roots[next]!;
  };
  const load = new Load(async () => {
    const root = pick();
    return Math.random() < 0.5 ? post(`${root}/graphql`, PRODUCT_NAMES, {}, token) : post(`${root}/graphql`, PRODUCT_WITH_STOCK, { id: productId }, token);
  }, 8).start();
  await sleep(1_000);
  const started = Date.now();
  for (let i = 0; i < stack.gateways.length; i += 1) await stack.restartGateway(i);
  const restartedMs = Date.now() - started;
  await sleep(1_000);
  await load.stop();
  polling = false;
  await poller;
  const failed = load.answers.filter(({ answer }) => answer.status !== 200 || answer.errors.length > 0);
  return {
    scenario: 'rolling restart of two gateways',
    requests: load.answers.length,
    clientErrors: failed.length,
    degraded: 0,
    recoveryMs: 0,
    lost: 0,
    doubled: 0,
    details: { restartedMs, failures: [...new Set(failed.map(({ answer }) => answer.errors[0]?.message ?? String(answer.status)))].slice(0, 5) },
  };
}
