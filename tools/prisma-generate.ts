// Generates each subgraph's Prisma client. Run through `npm run prisma:generate`, which points
// PRISMA_SCHEMA_ENGINE_BINARY at a dummy: generation never needs the native schema engine.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { SUBGRAPH_NAMES } from '#contracts';

const root = resolve(import.meta.dirname, '..');
const prismaCli = resolve(root, 'node_modules/prisma/build/index.js');

function generate(name: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [prismaCli, 'generate', '--schema', `prisma/${name}/schema.prisma`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`prisma generate (${name}) failed:\n${output}`))));
  });
}

const started = Date.now();
await Promise.all(SUBGRAPH_NAMES.map(generate));
console.log(`generated ${SUBGRAPH_NAMES.length} Prisma clients in ${Date.now() - started} ms`);
