import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '#platform/config';

/** Debian's Chromium; never a browser downloaded by a test tool. */
export const CHROMIUM = '/usr/bin/chromium';
/** Kept by CI with the rest of the run's output. */
export const SCREENSHOTS = resolve(REPO_ROOT, 'test-results/screenshots');

// Without the background-networking flags Chromium phones home at start, which a closed network refuses.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  /** Requests pages made to anything but this machine (they are aborted, never sent). */
  readonly offMachine: string[];
  /** Console errors and uncaught exceptions of every page. */
  readonly pageErrors: string[];
  /** Console warnings of every page (Monaco warns there when its workers cannot start). */
  readonly pageWarnings: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * Headless Chromium with a fresh profile, cut off from every network but this machine: a request
 * for anything else is recorded and aborted, over HTTP and WebSocket alike.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sc-chromium-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const offMachine: string[] = [];
  const pageErrors: string[] = [];
  const pageWarnings: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    offMachine.push(url);
    return route.abort('internetdisconnected');
  });
  await context.routeWebSocket(/.*/, (socket) => {
    if (isLocal(socket.url())) {
      socket.connectToServer();
      return;
    }
    offMachine.push(socket.url());
    socket.close();
  });
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
      if (message.type() === 'warning') pageWarnings.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  };
  context.on('page', watch);
  context.pages().forEach(watch);

  return {
    context,
    offMachine,
    pageErrors,
    pageWarnings,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: false });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
