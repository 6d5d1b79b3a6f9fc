import { Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';

/**
 * One loaded supergraph as subscriptions need it: the API schema clients validate against, and the
 * supergraph, query planner and schemas the gateway's executor runs plans with. A new one is made
 * on every schema load or update; `generation` tells them apart.
 */
export interface SupergraphState {
  generation: number;
  /** The API schema as the gateway serves it over HTTP (graphql-js). */
  apiSchema: GraphQLSchema;
  /** The same API schema in federation's own model, which the planner and executor take. */
  apiSchemaModel: Schema;
  /** The supergraph schema (graphql-js), for the executor's entity representations and rewrites. */
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
}

export function buildSupergraphState(generation: number, apiSchema: GraphQLSchema, coreSupergraphSdl: string): SupergraphState {
  const supergraph = Supergraph.build(coreSupergraphSdl);
  return {
    generation,
    apiSchema,
    apiSchemaModel: supergraph.apiSchema(),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    planner: new QueryPlanner(supergraph),
  };
}
