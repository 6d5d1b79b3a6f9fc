// `npm run trusted-documents` writes schema/trusted-documents.json, the manifest of the operations
// the gateway runs in production (TRUSTED_DOCUMENTS=enforce), from schema/operations/**/*.graphql.
// `npm install` runs it; the file is generated, not committed. `-- --check` says whether it is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { buildManifest, type Manifest } from './trusted-documents/manifest.js';

const root = resolve(import.meta.dirname, '..');
const file = resolve(root, 'schema/trusted-documents.json');
const check = process.argv.includes('--check');

let manifest: Manifest;
try {
  manifest = buildManifest(resolve(root, 'schema/operations'));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const text = `${JSON.stringify(manifest, null, 2)}\n`;
if (check) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as outdated
  }
  if (current !== text) {
    console.error(`${relative(root, file)} is out of date: run npm run trusted-documents`);
    process.exit(1);
  }
  console.log(`${relative(root, file)} is current (${manifest.operations.length} operations)`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${relative(root, file)} with ${manifest.operations.length} operations`);
}
