/** The six subgraphs, in the order they start and compose. */
export const SUBGRAPHS = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(value);
}
