import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../../prisma/demo-data.js';
import { REPO_ROOT } from '#platform/config';
import { registry } from '#platform/observability';
import { buildManifest } from '../../../tools/trusted-documents/manifest.js';
import { eventually } from '../../harness/live-client.js';
import type { TestSupergraph } from '../../harness/supergraph.js';

/** The operations as the trusted-documents manifest holds them: what runs where only those run. */
const manifest = new Map(buildManifest(resolve(REPO_ROOT, 'schema/operations')).operations.map((op) => [op.name, op.body]));

export function trusted(name: string): string {
  const body = manifest.get(name);
  if (!body) throw new Error(`no operation ${name} in schema/operations`);
  return body;
}

/** Where the browser finds the gateway: 127.0.0.1, the address it listens on. */
export function originOf(sg: TestSupergraph): string {
  const url = new URL(sg.gateway.url);
  url.hostname = '127.0.0.1';
  return url.origin;
}

const tokens = new Map<string, string>();

/** A demo user's access token, signed in with the session operation (the gateway may run trusted documents only). */
export async function tokenFor(sg: TestSupergraph, email: string): Promise<string> {
  const key = `${sg.gateway.url} ${email}`;
  const known = tokens.get(key);
  if (known) return known;
  const tenant = email.split('@')[1]!.split('.')[0]!;
  const result = await sg.client.request<{ login: { token: string } }>(trusted('SignIn'), { tenant, email, password: DEMO_PASSWORD });
  if (!result.data?.login) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(result.errors)}`);
  tokens.set(key, result.data.login.token);
  return result.data.login.token;
}

/** Runs a trusted operation over HTTP as a demo user, as another client of the API would. */
export async function runAs<T>(sg: TestSupergraph, email: string, name: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await sg.client.request<T>(trusted(name), variables, { token: await tokenFor(sg, email), operationName: name });
  if (result.errors?.length || !result.data) throw new Error(`${name} as ${email} failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** A customer places an order over HTTP with the storefront's PlaceOrder. */
export async function placeOrder(sg: TestSupergraph, email: string, items: { productId: string; quantity: number }[]): Promise<{ id: string; status: string }> {
  const { placeOrder } = await runAs<{ placeOrder: { id: string; status: string } }>(sg, email, 'PlaceOrder', { input: { idempotencyKey: randomUUID(), items } });
  return placeOrder;
}

/** Subscriptions of one root field the gateway is running now. */
export async function subscriptionsRunning(field: string): Promise<number> {
  const metric = registry.getSingleMetric('gateway_subscriptions');
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => (v.labels as Record<string, unknown>).field === field).reduce((sum, v) => sum + v.value, 0);
}

/** Waits until the gateway runs at least `count` subscriptions of `field`. */
export async function untilSubscribed(field: string, count: number): Promise<void> {
  await eventually(`${count} ${field} subscription(s) to run at the gateway`, async () => (await subscriptionsRunning(field)) >= count, 15_000);
}

export async function signIn(page: Page, origin: string, email: string, tenant = email.split('@')[1]!.split('.')[0]!): Promise<void> {
  await page.goto(`${origin}/dashboard/`);
  await page.getByLabel('Tenant').fill(tenant);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
