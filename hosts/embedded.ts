// `npm start`: the whole supergraph in one process on one embedded PGlite, migrated and seeded.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_TENANTS } from '../prisma/demo-data.js';
import { loadCommonConfig } from '#platform/config';
import { startSupergraph } from './supergraph.js';
import { startTracing } from '#platform/observability';
import { DemoAccountsInProductionError, loadDemoDataPolicy } from './demo-data-policy.js';

const started = performance.now();
const common = loadCommonConfig(process.env);
const tracing = startTracing({ service: 'supergraph', config: common.telemetry });
const seededMarker = join(common.dataDir, '.seeded');
// Demo data only when asked: by default outside production, with SEED_DEMO_DATA=on in it.
const demo = loadDemoDataPolicy(process.env);

// A fresh data dir is migrated and seeded by a short-lived child process (`npm run db:seed`) before
// the services open it: PGlite's WebAssembly memory grows while it creates and fills a cluster and
// never shrinks, so the serving process starts from the files instead (about 100 MB less).
if (demo.seed && !existsSync(seededMarker)) {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./seed.ts', import.meta.url))], { stdio: 'inherit', env: process.env });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding the data dir failed (exit ${code})`))));
  });
  writeFileSync(seededMarker, new Date().toISOString());
}

const supergraph = await startSupergraph({ env: process.env }).catch((error: unknown) => {
  if (error instanceof DemoAccountsInProductionError) {
    console.error(`\n  ${error.message}\n`);
    process.exit(1);
  }
  const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (code !== 'EADDRINUSE') throw error;
  console.error(
    `\n  Port ${port} on ${address} is already in use (an npm start or start:distributed still running?).\n` +
      '  Stop what listens there, or move the supergraph: PORT for the gateway (4000), <NAME>_PORT for a subgraph (ACCOUNTS_PORT 4001 … SHIPPING_PORT 4006).\n',
  );
  process.exit(1);
});
const readyMs = Math.round(performance.now() - started);

const logins = DEMO_TENANTS.flatMap((t) => t.users.map((u) => `    ${t.slug.padEnd(7)} ${u.email.padEnd(20)} ${u.role}`)).join('\n');
console.log(`
  Supergraph Commerce is ready in ${(readyMs / 1000).toFixed(1)} s: ${supergraph.gateway.url}
  (subgraphs ${Object.values(supergraph.subgraphs).map((s) => `${s.name} :${s.port}`).join(', ')}; data in ${common.dataDir})
`);
if (demo.seed) console.log(`
  Demo logins (password "${DEMO_PASSWORD}"):
${logins}

  Try it:
    curl -s ${supergraph.gateway.url} -H 'content-type: application/json' \\
      -d '{"query":"mutation { login(tenant: \\"acme\\", email: \\"alice@acme.test\\", password: \\"${DEMO_PASSWORD}\\") { token } }"}'
  then, with the token:
    query { products(first: 5) { totalCount edges { node { name price { amount currency } stock { available } } } } }
`);
else console.log('  No demo data (SEED_DEMO_DATA is off; in production it is off unless set to on).\n');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  supergraph.logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), 15_000).unref();
  await supergraph.stop();
  await tracing.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
