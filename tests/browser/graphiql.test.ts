import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { launchBrowser, type TestBrowser } from './harness/browser.js';
import { originOf, placeOrder, tokenFor, untilSubscribed } from './harness/stack.js';

// GraphiQL as the gateway serves it at /graphql, in Chromium with every other host cut off: it
// must load, run operations and subscriptions from this machine alone.

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const plenty = ACME.products.find((p) => p.available >= 50)!;

let sg: TestSupergraph;
let browser: TestBrowser;
let origin: string;
let page: Page;

beforeAll(async () => {
  sg = await startTestSupergraph();
  origin = originOf(sg);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sg?.stop();
});

/** The response pane's text; Monaco draws spaces as no-break spaces. */
async function response(): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
}

async function untilResponseContains(text: string): Promise<string> {
  await page.locator('.graphiql-response').getByText(text).first().waitFor({ timeout: 15_000 });
  return response();
}

describe('GraphiQL at /graphql', () => {
  it('loads from the gateway alone and runs the prefilled sign-in', async () => {
    await page.goto(`${origin}/graphql`);
    expect(await page.title()).toBe('Supergraph Commerce · GraphiQL');
    await page.locator('.graphiql-execute-button').waitFor();
    // The example is the session operation, ready to run with the demo admin's variables.
    await page.locator('.graphiql-query-editor').getByText('mutation SignIn').waitFor();
    await page.locator('.graphiql-execute-button').click();
    const text = await untilResponseContains('refreshToken');
    expect(text).toContain('"role": "ADMIN"');
    expect(text).toContain('"email": "admin@acme.test"');
    await browser.screenshot(page, 'graphiql-sign-in');
  });

  it('runs a query with the Authorization header from the headers editor', async () => {
    await page.getByRole('tab', { name: 'Me' }).click();
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await tokenFor(sg, 'admin@acme.test')}` }));
    await page.locator('.graphiql-execute-button').click();
    const text = await untilResponseContains('Acme Corporation');
    expect(text).toContain('"role": "ADMIN"');
  });

  it('runs a subscription over graphql-ws on the same endpoint and shows results as they come', async () => {
    await page.getByRole('tab', { name: 'LiveOrderStatuses' }).click();
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await tokenFor(sg, 'admin@acme.test')}` }));
    await page.locator('.graphiql-execute-button').click();
    await untilSubscribed('orderUpdated', 1);
    const order = await placeOrder(sg, 'alice@acme.test', [{ productId: plenty.id, quantity: 1 }]);
    const text = await untilResponseContains(order.id);
    expect(text).toContain('"orderUpdated"');
    await browser.screenshot(page, 'graphiql-subscription');
    await page.locator('.graphiql-execute-button').click(); // stops the subscription
  });

  it('asked nothing of any host but this one, logged no errors, and ran its editor workers', () => {
    expect(browser.offMachine).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.pageWarnings.filter((w) => /worker/i.test(w))).toEqual([]);
  });
});
