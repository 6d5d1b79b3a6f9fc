// Logout whatever the operation looks like: accounts ends the session and every gateway refuses it,
// so aliases, fragments, inline fragments, directives, batches, several operations in one document,
// persisted queries and trusted documents all end it, and so does a reused refresh token; a second
// gateway replica on the same bus (its own memory, no shared store) refuses the session as well.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#platform/observability';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { GraphQLClient } from '../harness/graphql-client.js';
import { expectRefusal, rawPost } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const SIGN_IN = 'mutation SignIn($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token refreshToken } }';
const REFRESH = 'mutation Refresh($token: String!) { refreshToken(token: $token) { token refreshToken } }';
const ME = 'query Me { me { id } }';
const NO_LOGIN_LIMITS = { RATE_LIMIT_LOGIN_ACCOUNT: 'off', RATE_LIMIT_LOGIN_ADDRESS: 'off', RATE_LIMIT_ANONYMOUS: 'off', RATE_LIMIT_USER: 'off' };

interface Session {
  token: string;
  refreshToken: string;
}

async function signIn(client: GraphQLClient): Promise<Session> {
  const result = await client.request<{ login: Session }>(SIGN_IN, { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' });
  expect(result.errors).toBeUndefined();
  return result.data!.login;
}

/** The session is over at this gateway: its access token is refused as ended, its refresh token too. */
async function expectEnded(client: GraphQLClient, session: Session): Promise<void> {
  const me = await client.request(ME, {}, { token: session.token });
  expectRefusal(me, 'UNAUTHENTICATED', 401);
  expect(me.errors![0]!.message).toMatch(/session ended/);
  expectRefusal(await client.request(REFRESH, { token: session.refreshToken }), 'INVALID_REFRESH_TOKEN', 401);
}

/** A second gateway replica on the supergraph's bus with its edge state in its own memory. */
async function secondReplica(sg: TestSupergraph): Promise<RunningGateway> {
  const { REDIS_URL: _shared, ...env } = process.env;
  const config = loadGatewayConfig({
    ...env,
    NODE_ENV: sg.gatewayConfig.env,
    DATA_DIR: sg.gatewayConfig.dataDir,
    LOG_LEVEL: 'silent',
    PORT: '0',
    JWKS_URL: sg.gatewayConfig.jwksUrl,
    TRUSTED_DOCUMENTS: sg.gatewayConfig.edge.trustedDocuments.mode,
    ...NO_LOGIN_LIMITS,
    ...Object.fromEntries(Object.entries(sg.subgraphs).map(([name, s]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, s.url])),
  });
  return startGateway(config, createLogger('gateway', config), { events: sg.bus });
}

/** Polls until `check` holds: the other replica hears of the end from the bus, moments later. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}

describe('logout in every shape of operation (trusted documents off)', () => {
  let sg: TestSupergraph;
  let replica: RunningGateway;
  let other: GraphQLClient;

  beforeAll(async () => {
    sg = await startTestSupergraph({ ...NO_LOGIN_LIMITS });
    replica = await secondReplica(sg);
    other = new GraphQLClient(replica.url);
  });
  afterAll(async () => {
    await replica?.stop();
    await sg?.stop();
  });

  const SHAPES: [string, string, Record<string, unknown>?, string?][] = [
    ['a top-level field', 'mutation { logout }'],
    ['an alias', 'mutation { bye: logout }'],
    ['a named fragment', 'mutation { ...End } fragment End on Mutation { logout }'],
    ['an inline fragment', 'mutation { ... on Mutation { logout } }'],
    ['a type-less inline fragment around an aliased fragment', 'mutation { ... { ...End } } fragment End on Mutation { out: logout }'],
    ['an @include with a variable', 'mutation End($yes: Boolean!) { logout @include(if: $yes) }', { yes: true }],
    ['the second operation of a document, chosen by operationName', 'query Look { me { id } } mutation Leave { ... on Mutation { logout } }', {}, 'Leave'],
    ['twice in one operation', 'mutation { a: logout ... on Mutation { b: logout } }'],
  ];

  it.each(SHAPES)('ends the session when logout comes as %s', async (_shape, query, variables = {}, operationName) => {
    const session = await signIn(sg.client);
    const out = await sg.client.request<Record<string, boolean>>(query, variables, { token: session.token, operationName });
    expect(out.errors).toBeUndefined();
    expect(Object.values(out.data!).every((value) => value === true)).toBe(true);
    await expectEnded(sg.client, session);
    await eventually(async () => (await other.request(ME, {}, { token: session.token })).status === 401);
  });

  it('ends the session when logout comes inside a batch, and the batch answers the other operations', async () => {
    const session = await signIn(sg.client);
    const body = JSON.stringify([{ query: ME }, { query: 'mutation { ... on Mutation { ... on Mutation { logout } } }' }]);
    const out = await rawPost(sg.gateway.url, body, { authorization: `Bearer ${session.token}` });
    expect(out.status).toBe(200);
    expect((out.body as unknown as { data: unknown }[])[1]!.data).toEqual({ logout: true });
    await expectEnded(sg.client, session);
  });

  it('ends the session when logout comes as an automatic persisted query', async () => {
    const session = await signIn(sg.client);
    const query = 'mutation Quiet { ... on Mutation { bye: logout } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const out = await rawPost(sg.gateway.url, JSON.stringify({ query, extensions }), { authorization: `Bearer ${session.token}` });
    expect(out.body?.data).toEqual({ bye: true });
    await expectEnded(sg.client, session);
    // the registered hash alone ends the next session too
    const next = await signIn(sg.client);
    const byHash = await rawPost(sg.gateway.url, JSON.stringify({ extensions }), { authorization: `Bearer ${next.token}` });
    expect(byHash.body?.data).toEqual({ bye: true });
    await expectEnded(sg.client, next);
  });

  it('ends the session at both replicas when a spent refresh token comes back', async () => {
    const session = await signIn(sg.client);
    const refreshed = await sg.client.request<{ refreshToken: Session }>(REFRESH, { token: session.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const reused = await sg.client.request(REFRESH, { token: session.refreshToken });
    expectRefusal(reused, 'REFRESH_TOKEN_REUSED', 401);
    await expectEnded(sg.client, { token: refreshed.data!.refreshToken.token, refreshToken: refreshed.data!.refreshToken.refreshToken });
    await eventually(async () => (await other.request(ME, {}, { token: session.token })).status === 401);
  });

  it('tells the replicas\' listeners once per ended session, with its user and tenant', async () => {
    const heard: string[][] = [];
    const stopHere = sg.gateway.sessions.onSessionEnded((...args) => heard.push(['here', ...args]));
    const stopThere = replica.sessions.onSessionEnded((...args) => heard.push(['there', ...args]));
    try {
      const session = await signIn(sg.client);
      const claims = JSON.parse(Buffer.from(session.token.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string; sub: string; tid: string };
      await sg.client.request('mutation { a: logout b: logout }', {}, { token: session.token });
      await eventually(async () => heard.length >= 2);
      await sg.settle();
      expect(heard.sort()).toEqual([
        ['here', claims.sid, claims.sub, claims.tid],
        ['there', claims.sid, claims.sub, claims.tid],
      ]);
      expect(await replica.sessions.isSessionEnded(claims.sid)).toBe(true);
    } finally {
      stopHere();
      stopThere();
    }
  });
});

describe('logout with trusted documents enforced', () => {
  let sg: TestSupergraph;

  beforeAll(async () => {
    sg = await startTestSupergraph({ ...NO_LOGIN_LIMITS, TRUSTED_DOCUMENTS: 'enforce' });
  });
  afterAll(async () => {
    await sg?.stop();
  });

  it('ends the session when SignOut is sent by its manifest id', async () => {
    const manifest = JSON.parse(readFileSync(sg.gatewayConfig.edge.trustedDocuments.manifestPath, 'utf8')) as { operations: { id: string; name: string; body: string }[] };
    const signInDoc = manifest.operations.find((op) => op.name === 'SignIn')!;
    const signOut = manifest.operations.find((op) => op.name === 'SignOut')!;
    const login = await rawPost(sg.gateway.url, JSON.stringify({ variables: { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' }, extensions: { persistedQuery: { version: 1, sha256Hash: signInDoc.id } } }));
    const session = login.body!.data.login as Session;
    const out = await rawPost(sg.gateway.url, JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: signOut.id } } }), { authorization: `Bearer ${session.token}` });
    expect(out.body?.data).toEqual({ logout: true });
    const again = await rawPost(sg.gateway.url, JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: signOut.id } } }), { authorization: `Bearer ${session.token}` });
    expectRefusal(again, 'UNAUTHENTICATED', 401);
    expect(again.body!.errors![0]!.message).toMatch(/session ended/);
  });
});
