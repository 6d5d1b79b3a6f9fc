import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '#platform/config';
import { CHROMIUM } from './browser.js';

/** The browser suites need Debian's Chromium and the built dashboard; say so rather than skip. */
export default function setup(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium), as .ci/run does`);
  if (!existsSync(resolve(REPO_ROOT, 'dashboard/dist/index.html'))) throw new Error('dashboard/dist is missing: run npm run build:dashboard (npm install does it too)');
}
