/** The six subgraphs, in the order they start. Ports default to 4001..4006 in this order. */
export const SUBGRAPH_NAMES = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(value);
}

export function defaultPort(name: SubgraphName): number {
  return 4001 + SUBGRAPH_NAMES.indexOf(name);
}
