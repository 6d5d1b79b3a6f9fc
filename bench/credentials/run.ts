// `npm run bench:credentials`: what one gateway credential costs, made by the gateway and checked by
// a subgraph, in microseconds (run it alone: `flock -x /work/cpu.lock npm run bench:credentials`).
// The body is the size of a typical `_entities` fetch of bench/gateway's fan-out query.
import { randomBytes, randomUUID } from 'node:crypto';
import { GatewayCredentialSigner, GatewayCredentialVerifier, parseGatewayCredentialSecret, subgraphCredentialKey, type Identity } from '#platform/auth';

const ITERATIONS = Number(process.argv[2] ?? 50_000);
const identity: Identity = { userId: randomUUID(), tenantId: randomUUID(), role: 'CUSTOMER', sessionId: randomUUID() };
const representations = Array.from({ length: 20 }, (_, i) => ({ __typename: 'Product', upc: String(i + 1) }));
const body = Buffer.from(JSON.stringify({ query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{inStock shippingEstimate}}}', variables: { representations } }));

const secret = parseGatewayCredentialSecret(randomBytes(32).toString('base64url'), 'bench');
const signer = new GatewayCredentialSigner(subgraphCredentialKey(secret, 'inventory'), 'inventory', 30);
const verifier = new GatewayCredentialVerifier([subgraphCredentialKey(secret, 'inventory')], 'inventory');

function time(label: string, run: (i: number) => void): void {
  for (let i = 0; i < 2_000; i += 1) run(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i += 1) run(i);
  const micros = Number(process.hrtime.bigint() - started) / 1_000 / ITERATIONS;
  console.log(`  ${label.padEnd(30)} ${micros.toFixed(2).padStart(7)} µs`);
}

console.log(`gateway credential, body ${body.length} bytes, ${ITERATIONS} iterations each:`);
time('sign (gateway)', (i) => signer.sign({ body, requestId: `r-${i}`, identity }));
const credentials = Array.from({ length: ITERATIONS + 2_000 }, (_, i) => signer.sign({ body, requestId: `r-${i}`, identity }));
let next = 0;
time('verify (subgraph)', () => {
  const check = verifier.verify(credentials[next++]!, body);
  if (!check.ok) throw new Error(check.reason);
});
