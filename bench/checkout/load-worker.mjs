// The checkout bench's shoppers, on a thread of their own (a worker of the bench process): `concurrency`
// closed-loop clients place one-unit orders through the gateway until `totalOrders` are accepted. Kept
// off the bench's main thread so that, embedded, the supergraph's one thread is not also the load
// generator's; the CPU the shoppers used is reported apart, read from this thread's own /proc entry.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { url, token, ids, totalOrders, concurrency, ticksPerSecond } = workerData;
const query = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';

/** User + system CPU of this thread, in ms. */
function threadCpuMs() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

const now = () => performance.timeOrigin + performance.now();
const cpuStart = threadCpuMs();
/** [order id, placed at (ms since the epoch), placeOrder latency in ms] */
const placed = [];
let next = 0;

async function shopper() {
  while (next < totalOrders) {
    const n = next++;
    const t0 = now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: { input: { idempotencyKey: crypto.randomUUID(), items: [{ productId: ids[n % ids.length], quantity: 1 }] } } }),
    });
    const body = await response.json();
    const t1 = now();
    if (!body.data?.placeOrder) throw new Error(`placeOrder failed: ${JSON.stringify(body.errors)}`);
    placed.push([body.data.placeOrder.id, t0, t1 - t0]);
  }
}

await Promise.all(Array.from({ length: concurrency }, shopper));
parentPort.postMessage({ placed, cpuMs: threadCpuMs() - cpuStart });
