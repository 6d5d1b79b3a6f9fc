import { type SubgraphDefinition, startSubgraph } from '#platform/subgraph';
import type { SubgraphName } from '#contracts';
import type { AnySubgraph } from '../../hosts/supergraph.js';
import type { TestSupergraph } from './supergraph.js';

/**
 * Stops one subgraph of a running test supergraph and gives back a function that starts it again
 * on the same port, database and bus, as a process restart would (only for subgraphs that consume no
 * events: consumers stay registered with the in-process bus). The test stops the new one.
 */
export async function stopSubgraph(sg: TestSupergraph, name: SubgraphName, definition: () => SubgraphDefinition<any, any, any, any>): Promise<() => Promise<AnySubgraph>> {
  const running = sg.subgraphs[name];
  if (definition().consumers) throw new Error(`${name} consumes events; it cannot be restarted in-process`);
  await running.stop();
  return async () => {
    const config = { ...running.runtime.config, port: running.port };
    const database = config.databaseUrl ? { kind: 'postgres' as const, url: config.databaseUrl, poolSize: config.dbPoolSize } : { kind: 'pglite' as const, pglite: sg.pglite! };
    return (await startSubgraph(definition(), { config, logger: running.runtime.logger, database, bus: sg.bus })) as unknown as AnySubgraph;
  };
}
