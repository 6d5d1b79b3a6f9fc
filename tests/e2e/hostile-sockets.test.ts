// A customer trying to hold many graphql-ws sockets (the outside test held 500): with the default
// caps, one user gets SUBSCRIPTION_MAX_SOCKETS_PER_USER (10) sockets, however many sessions they
// sign in with, every socket past it is closed with 4430, and a socket that closes frees its place.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, LiveClient } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const SIGN_IN = 'mutation SignIn($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token } }';
const ATTEMPTS = 40;

let sg: TestSupergraph;
const clients: LiveClient[] = [];

beforeAll(async () => {
  // the default caps; only the login limits are lifted, so one customer can open many sessions
  sg = await startTestSupergraph({ RATE_LIMIT_LOGIN_ACCOUNT: 'off', RATE_LIMIT_LOGIN_ADDRESS: 'off' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(async () => {
  await sg?.stop();
});

async function session(): Promise<string> {
  const result = await sg.client.request<{ login: { token: string } }>(SIGN_IN, { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' });
  return result.data!.login.token;
}

describe('sockets held by one customer', () => {
  it(`admits 10 of ${ATTEMPTS} sockets opened over four sessions of one customer and closes the rest with 4430`, async () => {
    const tokens = await Promise.all([session(), session(), session(), session()]);
    for (let i = 0; i < ATTEMPTS; i += 1) clients.push(await LiveClient.connect(sg.gateway.url, tokens[i % tokens.length]!));
    await eventually('every refused socket closed', () => clients.filter((c) => c.closeCode !== undefined).length === ATTEMPTS - 10 || undefined);
    const open = clients.filter((c) => c.closeCode === undefined);
    expect(open).toHaveLength(10);
    const refused = clients.filter((c) => c.closeCode !== undefined);
    expect(new Set(await Promise.all(refused.map(async (c) => JSON.stringify(await c.closed))))).toEqual(new Set([JSON.stringify({ code: 4430, reason: 'Too many sockets: at most 10 per user' })]));

    // another customer of the tenant is not held back by alice's sockets
    const bob = await LiveClient.connect(sg.gateway.url, await sg.client.tokenFor('admin@acme.test'));
    clients.push(bob);
    expect(bob.closeCode).toBeUndefined();

    // closing one of alice's sockets frees exactly one place
    await open[0]!.dispose();
    const again = await eventually('the freed place', async () => {
      const next = await LiveClient.connect(sg.gateway.url, tokens[0]!);
      clients.push(next);
      return next.closeCode === undefined ? next : undefined;
    });
    expect(again.closeCode).toBeUndefined();
    const over = await LiveClient.connect(sg.gateway.url, tokens[1]!);
    clients.push(over);
    expect((await over.closed).code).toBe(4430);
  });
});
