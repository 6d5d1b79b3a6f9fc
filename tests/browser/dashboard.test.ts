import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { launchBrowser, type TestBrowser } from './harness/browser.js';
import { originOf, placeOrder, runAs, signIn, subscriptionsRunning, untilSubscribed } from './harness/stack.js';

// The admin dashboard in Chromium against the whole supergraph. The gateway runs trusted documents
// only, as in production: every operation the dashboard sends must be in the manifest.

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const blueMug = ACME.products.find((p) => p.name === 'Blue Mug')!;
const plenty = ACME.products.find((p) => p.available >= 50)!;

let sg: TestSupergraph;
let browser: TestBrowser;
let origin: string;
let page: Page;

beforeAll(async () => {
  sg = await startTestSupergraph({ TRUSTED_DOCUMENTS: 'enforce' });
  origin = originOf(sg);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sg?.stop();
});

const row = (id: string) => page.locator(`table.orders-table tr[data-order-id="${id}"]`);

describe('the admin dashboard', () => {
  it('signs an admin in and shows the seeded orders, newest first', async () => {
    await signIn(page, origin, 'admin@acme.test');
    await page.getByTestId('signed-in-user').getByText('admin@acme.test').waitFor();
    const rows = page.locator('table.orders-table tbody tr');
    await rows.nth(ACME.orders.length - 1).waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-order-id')));
    const seeded = [...ACME.orders].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    expect(shown).toEqual(seeded.map((o) => o.id));
    for (const order of seeded) expect(await row(order.id).locator('[data-status]').getAttribute('data-status')).toBe(order.state);
    await page.locator('[data-live="live"]').first().waitFor();
    await browser.screenshot(page, 'dashboard-orders');
  });

  it("shows another customer's order the moment it is placed, then CONFIRMED, without a reload", async () => {
    await untilSubscribed('orderUpdated', 1);
    const url = page.url();
    const order = await placeOrder(sg, 'alice@acme.test', [{ productId: plenty.id, quantity: 1 }]);
    await row(order.id).waitFor({ timeout: 10_000 });
    await row(order.id).locator('[data-status="CONFIRMED"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('table.orders-table tbody tr').first().getAttribute('data-order-id')).toBe(order.id);
    expect(await row(order.id).textContent()).toContain('alice@acme.test');
    expect(page.url()).toBe(url);
    await browser.screenshot(page, 'dashboard-order-live');
  });

  it('opens an order with its customer, products, payment and shipment, and advances the shipment', async () => {
    const order = await placeOrder(sg, 'alice@acme.test', [{ productId: plenty.id, quantity: 2 }]);
    await row(order.id).locator('[data-status="CONFIRMED"]').waitFor({ timeout: 15_000 });
    await row(order.id).click();
    const detail = page.getByTestId('order-detail');
    await detail.getByText('Alice Anders').waitFor();
    await detail.getByText(plenty.name).waitFor();
    await detail.getByLabel('Payment').locator('[data-status="CAPTURED"]').waitFor({ timeout: 10_000 });
    const shipment = detail.getByTestId('shipment-status');
    await shipment.locator('[data-status="PENDING"]').waitFor({ timeout: 10_000 });
    expect(page.url()).toBe(`${origin}/dashboard/orders/${order.id}`);
    await browser.screenshot(page, 'dashboard-order-detail');

    await detail.getByRole('button', { name: 'Mark as shipped' }).click();
    await shipment.locator('[data-status="SHIPPED"]').waitFor({ timeout: 10_000 });
    // The order follows its shipment through the saga, and both views hear of it live.
    await detail.locator('.detail-status [data-status="SHIPPED"]').waitFor({ timeout: 15_000 });
    await row(order.id).locator('[data-status="SHIPPED"]').waitFor({ timeout: 15_000 });
    await detail.getByRole('button', { name: 'Mark in transit' }).click();
    await shipment.locator('[data-status="IN_TRANSIT"]').waitFor({ timeout: 10_000 });
    await detail.getByRole('button', { name: 'Mark as delivered' }).click();
    await row(order.id).locator('[data-status="DELIVERED"]').waitFor({ timeout: 15_000 });
    await detail.getByText('Delivered: nothing more to do.').waitFor();

    // A reload of a deep link shows the same order.
    await page.reload();
    await page.getByTestId('order-detail').locator('.detail-status [data-status="DELIVERED"]').waitFor({ timeout: 10_000 });
  });

  it('adjusts stock with a reason, shows the new level, and follows changes made elsewhere', async () => {
    const runningBefore = await subscriptionsRunning('stockChanged');
    await page.getByRole('link', { name: 'Stock' }).click();
    await page.getByLabel('Search products').fill('Blue Mug');
    const mug = page.locator(`table.stock-table tr[data-product-id="${blueMug.id}"]`);
    await mug.waitFor();
    expect(await mug.getAttribute('data-low')).toBe('true');
    const before = Number(await mug.getByTestId('available').textContent());
    await untilSubscribed('stockChanged', runningBefore + 1);

    await mug.getByRole('button', { name: 'Adjust' }).click();
    const form = page.getByRole('form', { name: 'Adjust stock of Blue Mug' });
    await form.getByLabel('Change by').fill('10');
    await form.getByLabel('Reason').fill('Delivery received');
    await form.getByRole('button', { name: 'Save' }).click();
    await mug.getByTestId('available').getByText(String(before + 10), { exact: true }).waitFor({ timeout: 10_000 });
    expect(await mug.getAttribute('data-low')).toBeNull();

    // Another admin's adjustment arrives over the live feed.
    await runAs(sg, 'admin@acme.test', 'AdjustStock', { productId: blueMug.id, delta: -7, reason: 'Damaged in the warehouse' });
    await mug.getByTestId('available').getByText(String(before + 3), { exact: true }).waitFor({ timeout: 10_000 });
    expect(await mug.getAttribute('data-low')).toBe('true');
    await browser.screenshot(page, 'dashboard-stock');
  });

  it("refuses an adjustment below zero and says why in words, with the gateway's code", async () => {
    const mug = page.locator(`table.stock-table tr[data-product-id="${blueMug.id}"]`);
    await mug.getByRole('button', { name: 'Adjust' }).click();
    const form = page.getByRole('form', { name: 'Adjust stock of Blue Mug' });
    await form.getByLabel('Change by').fill('-1000');
    await form.getByLabel('Reason').fill('Stock count');
    await form.getByRole('button', { name: 'Save' }).click();
    const error = form.getByRole('alert');
    await error.getByText('Not enough stock').waitFor();
    expect(await error.textContent()).toContain('INSUFFICIENT_STOCK');
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('lists only low stock when asked, and highlights it', async () => {
    await page.getByLabel('Only low stock').check();
    const rows = page.locator('table.stock-table tbody tr');
    await page.locator(`table.stock-table tr[data-product-id="${blueMug.id}"]`).waitFor();
    const lows = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-low')));
    expect(lows.length).toBeGreaterThan(0);
    expect(lows.every((low) => low === 'true')).toBe(true);
    await page.getByLabel('Only low stock').uncheck();
  });

  it('stays usable at tablet width: the order detail takes the page, with a way back', async () => {
    const tablet = await browser.newPage({ width: 768, height: 1024 });
    await tablet.goto(`${origin}/dashboard/`);
    // The session is kept per tab: a new tab signs in again.
    await signIn(tablet, origin, 'admin@acme.test');
    const first = tablet.locator('table.orders-table tbody tr').first();
    await first.waitFor();
    const width = await tablet.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(768);
    await browser.screenshot(tablet, 'dashboard-tablet-orders');
    await first.click();
    await tablet.getByTestId('order-detail').locator('.detail-status').waitFor();
    expect(await tablet.locator('table.orders-table').isVisible()).toBe(false);
    await browser.screenshot(tablet, 'dashboard-tablet-detail');
    await tablet.getByRole('button', { name: '← Orders' }).click();
    await tablet.locator('table.orders-table').waitFor();
    await tablet.close();
  });

  it('asked nothing of any host but this one, and logged no errors', () => {
    expect(browser.offMachine).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
