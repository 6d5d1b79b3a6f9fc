import { describe, expect, it } from 'vitest';
import { errorOf } from '../harness/errors.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, toConnection } from '#platform/subgraph';


describe('pageSize', () => {
  it('defaults to 20 when first is not given', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
  });

  it('accepts every size from 1 to the maximum', () => {
    expect(pageSize(1)).toBe(1);
    expect(pageSize(50)).toBe(50);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it.each([0, -1, 101, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s as bad user input naming the field', (first) => {
    const error = errorOf(() => pageSize(first));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('first');
  });

  it('names the field it was given', () => {
    expect(errorOf(() => pageSize(0, 'last')).extensions.field).toBe('last');
  });
});

describe('cursors', () => {
  it('round-trips a sort key through an opaque, URL-safe cursor', () => {
    const key = ['Blue Mug', '0b5c7d7e-0000-4000-8000-000000000001'];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('Blue');
    expect(decodeCursor(cursor, 2)).toEqual(key);
  });

  it('keeps numbers and strings apart', () => {
    expect(decodeCursor(encodeCursor([3, '3']), 2)).toEqual([3, '3']);
  });

  it('reads no cursor as the start of the list', () => {
    expect(decodeCursor(undefined, 2)).toBeNull();
    expect(decodeCursor(null, 2)).toBeNull();
    expect(decodeCursor('', 2)).toBeNull();
  });

  it.each([
    ['not base64 JSON', 'garbage!!'],
    ['JSON that is not a list', Buffer.from('{"a":1}').toString('base64url')],
    ['a list of the wrong length', encodeCursor(['only one'])],
    ['a list holding objects', Buffer.from('[{},1]').toString('base64url')],
    ['a list holding null', Buffer.from('[null,"x"]').toString('base64url')],
    ['a JSON string', Buffer.from('"ab"').toString('base64url')],
  ])('refuses %s as bad user input naming the field', (_label, cursor) => {
    const error = errorOf(() => decodeCursor(cursor, 2));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('after');
  });

  it('names the field it was given', () => {
    expect(errorOf(() => decodeCursor('garbage', 2, 'before')).extensions.field).toBe('before');
  });
});

describe('toConnection', () => {
  const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const keyOf = (row: { id: string }) => [row.id];

  it('uses the extra row only to tell that a next page exists', () => {
    const connection = toConnection(rows, 2, 10, keyOf);
    expect(connection.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.endCursor).toBe(encodeCursor(['b']));
    expect(connection.totalCount).toBe(10);
  });

  it('reports the last page when no extra row came back', () => {
    const connection = toConnection(rows, 3, 3, keyOf);
    expect(connection.edges).toHaveLength(3);
    expect(connection.pageInfo.hasNextPage).toBe(false);
    expect(connection.pageInfo.endCursor).toBe(encodeCursor(['c']));
  });

  it('gives an empty page no end cursor', () => {
    const connection = toConnection([], 5, 0, keyOf);
    expect(connection).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it("gives each edge the cursor of its own row, so a client can resume after any edge", () => {
    const connection = toConnection(rows, 3, 3, keyOf);
    expect(connection.edges.map((e) => decodeCursor(e.cursor, 1))).toEqual([['a'], ['b'], ['c']]);
  });
});
