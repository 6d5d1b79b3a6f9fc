import { ValidationError } from '../errors/errors.js';

export const MAX_PAGE_SIZE = 100;

/** Validates `first`, the page size every connection takes. */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ValidationError(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the sort key of the edge. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number, field = 'after'): (string | number)[] | null {
  if (cursor == null || cursor === '') return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key as (string | number)[];
    }
  } catch {
    // fall through to the validation error below
  }
  throw new ValidationError(field, `${field} is not a cursor this list gave out.`);
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: T }[];
}

/** Builds a connection from `size + 1` fetched rows: the extra row only tells that a next page exists. */
export function toConnection<T>(rows: T[], size: number, totalCount: number, keyOf: (row: T) => (string | number)[]): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    edges,
  };
}
