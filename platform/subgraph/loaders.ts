import DataLoader from 'dataloader';

/**
 * A per-request loader by id: the batch function gets distinct ids and returns rows in any order;
 * results come back in key order with null for misses, as DataLoader requires.
 */
export function loaderById<T>(fetch: (ids: readonly string[]) => Promise<T[]>, idOf: (row: T) => string): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await fetch(ids);
    const byId = new Map(rows.map((row) => [idOf(row), row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** A per-request loader of the children of many parents, grouped by parent id. */
export function loaderOfChildren<T>(fetch: (parentIds: readonly string[]) => Promise<T[]>, parentOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (parentIds) => {
    const rows = await fetch(parentIds);
    const groups = new Map<string, T[]>();
    for (const row of rows) {
      const key = parentOf(row);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return parentIds.map((id) => groups.get(id) ?? []);
  });
}
