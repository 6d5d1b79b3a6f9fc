// npm run schema:compose — writes schema/supergraph.graphql and schema/api.graphql from rover-config.yaml.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { composeFromConfig, formatComposeIssue } from './schema/compose.js';

const root = resolve(import.meta.dirname, '..');
const outcome = composeFromConfig(resolve(root, 'rover-config.yaml'));
const fileOf = (subgraph: string) => {
  const source = outcome.sources.find((s) => s.name === subgraph);
  return source ? relative(root, source.file) : subgraph;
};

for (const hint of outcome.hints) {
  console.warn(formatComposeIssue(hint, fileOf).map((line, i) => (i === 0 ? `hint ${line}` : line)).join('\n'));
}
if (outcome.errors.length || !outcome.supergraphSdl || !outcome.apiSdl) {
  for (const error of outcome.errors) {
    console.error(formatComposeIssue(error, fileOf).map((line, i) => (i === 0 ? `error ${line}` : line)).join('\n'));
  }
  console.error(`composition failed with ${outcome.errors.length} error(s)`);
  process.exit(1);
}
writeFileSync(resolve(root, 'schema/supergraph.graphql'), outcome.supergraphSdl);
writeFileSync(resolve(root, 'schema/api.graphql'), outcome.apiSdl);
console.log(`composed ${outcome.sources.length} subgraphs into schema/supergraph.graphql and schema/api.graphql`);
