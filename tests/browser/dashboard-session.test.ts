import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { launchBrowser, type TestBrowser } from './harness/browser.js';
import { originOf, placeOrder, signIn, trusted } from './harness/stack.js';

// Sessions in the dashboard: who may sign in, keeping the session (across reloads and past the
// access token's lifetime), and ending it. Access tokens live 60 s here (the shortest allowed).

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const plenty = ACME.products.find((p) => p.available >= 50)!;
const TOKEN_TTL_S = 60;

let sg: TestSupergraph;
let browser: TestBrowser;
let origin: string;
let page: Page;

beforeAll(async () => {
  sg = await startTestSupergraph({ TRUSTED_DOCUMENTS: 'enforce', JWT_TTL_SECONDS: String(TOKEN_TTL_S), JWT_CLOCK_TOLERANCE_SECONDS: '0' });
  origin = originOf(sg);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sg?.stop();
});

interface StoredSession {
  token: string;
  refreshToken: string;
  expiresAt: string;
}

// Page code is passed as text: this project's TypeScript has Node's globals, not the DOM's.
const SESSION_KEY = JSON.stringify('supergraph-commerce.dashboard.session');

async function storedSession(): Promise<StoredSession | null> {
  const raw = await page.evaluate<string | null>(`sessionStorage.getItem(${SESSION_KEY})`);
  return raw ? (JSON.parse(raw) as StoredSession) : null;
}

async function viewerStatus(token: string): Promise<{ status: number; code?: string }> {
  const result = await sg.client.request(trusted('DashboardViewer'), {}, { token, operationName: 'DashboardViewer' });
  return { status: result.status, code: result.errors?.[0]?.extensions?.code };
}

describe('dashboard sessions', () => {
  it('says in words why a sign-in was refused', async () => {
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Sign-in refused: The tenant, email or password is not right.').waitFor();
    expect(await alert.textContent()).toContain('UNAUTHENTICATED');
    await browser.screenshot(page, 'dashboard-sign-in-refused');
  });

  it("turns a customer away and ends the customer's new session", async () => {
    await signIn(page, origin, 'alice@acme.test');
    const alert = page.getByRole('alert');
    await alert.getByText('alice@acme.test is a customer account: the dashboard is for admins.').waitFor();
    expect(await storedSession()).toBeNull();
  });

  it('keeps the session across a reload of the page', async () => {
    await signIn(page, origin, 'admin@acme.test');
    await page.getByTestId('signed-in-user').waitFor();
    await page.reload();
    await page.getByTestId('signed-in-user').getByText('admin@acme.test').waitFor();
    await page.locator('table.orders-table tbody tr').first().waitFor();
  });

  it('renews a refused access token with the refresh token and carries on', async () => {
    const stored = (await storedSession())!;
    // As after a key rotation: the token the page holds is no longer accepted.
    await page.evaluate(`sessionStorage.setItem(${SESSION_KEY}, ${JSON.stringify(JSON.stringify({ ...stored, token: `${stored.token}x` }))})`);
    await page.reload();
    await page.locator('table.orders-table tbody tr').first().waitFor();
    await page.locator('[data-live="live"]').first().waitFor({ timeout: 15_000 });
    const renewed = (await storedSession())!;
    expect(renewed.token).not.toBe(stored.token);
    expect(renewed.refreshToken).not.toBe(stored.refreshToken);
  });

  it('renews the access token before it expires and stays live past its expiry', async () => {
    const first = (await storedSession())!;
    const expiry = Date.parse(first.expiresAt);
    // Renewed ahead of time, while the token it replaces is still good…
    while ((await storedSession())?.token === first.token) {
      if (Date.now() > expiry) throw new Error('the access token was not renewed before it expired');
      await page.waitForTimeout(500);
    }
    expect(Date.now()).toBeLessThan(expiry);
    // …and past the first token's expiry (when the gateway closes the socket it opened with), the
    // dashboard is still live: a new order shows up without a reload.
    await page.waitForTimeout(Math.max(0, expiry - Date.now()) + 3_000);
    await page.locator('[data-live="live"]').first().waitFor({ timeout: 15_000 });
    const order = await placeOrder(sg, 'alice@acme.test', [{ productId: plenty.id, quantity: 1 }]);
    await page.locator(`table.orders-table tr[data-order-id="${order.id}"] [data-status="CONFIRMED"]`).waitFor({ timeout: 15_000 });
    expect(await viewerStatus(first.token)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  }, 120_000);

  it('signs out: the gateway ends the session, so its tokens stop working', async () => {
    const { token } = (await storedSession())!;
    expect((await viewerStatus(token)).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await storedSession()).toBeNull();
    expect(await viewerStatus(token)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('asked nothing of any host but this one', () => {
    expect(browser.offMachine).toEqual([]);
  });
});
