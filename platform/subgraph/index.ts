// What a subgraph is made of: the server that runs one, and the helpers its services share.
export {
  startSubgraph, type PrismaLike, type RequestScope, type RunningSubgraph, type StartOptions, type SubgraphDefinition, type SubgraphRuntime,
} from './start-subgraph.js';
export { runStandalone } from './run-standalone.js';
export { tenantScope } from './tenant-scope.js';
export { loaderById, loaderOfChildren } from './loaders.js';
export { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, toConnection, type Connection } from './pagination.js';
export { DateTime } from './scalars.js';
