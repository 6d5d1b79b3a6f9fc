// What the processes agree on: the subgraphs there are, and the events they exchange.
export { defaultPort, isSubgraphName, migrationsDirOf, schemaPathOf, SUBGRAPH_NAMES, subgraphFiles, type SubgraphName } from './subgraphs.js';
export * from './events.js';
