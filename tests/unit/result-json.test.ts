import { describe, expect, it } from 'vitest';
import { resultJson } from '../../gateway/src/http/result-json.js';

const same = (value: unknown) => expect(resultJson(value)).toBe(JSON.stringify(value) + '\n');

describe('the JSON text of a GraphQL result', () => {
  it('is the text JSON.stringify writes, for the values a result holds', () => {
    same({ data: { a: 1, b: 'two', c: true, d: null, e: [1, 'x', false, null], f: { g: { h: [] } }, i: {} } });
    same({ data: { n: [0, -0, 1.5, -2e-7, 1e21, 123456789012345680000, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity] } });
    same({ errors: [{ message: 'boom', locations: [{ line: 1, column: 2 }], path: ['a', 0, 'b'], extensions: { code: 'X' } }], data: null });
  });

  it('escapes strings exactly as JSON.stringify does, short and long', () => {
    const awkward = ['', '"', '\\', '\n\t\r\b\f', '\u0000\u001f', '\u007f', 'é', '日本語', '😀', '\ud800', 'a\udc00b', '</script>', '\u2028\u2029'];
    for (const piece of awkward) {
      same({ data: { s: piece, long: `${'x'.repeat(70)}${piece}${'y'.repeat(70)}`, [piece]: piece } });
    }
  });

  it('leaves out undefined, functions and symbols in objects and writes them as null in arrays', () => {
    same({ data: { a: undefined, b: () => 1, c: Symbol('s'), d: 1 }, list: [undefined, () => 1, Symbol('s')] });
    same({ data: { only: undefined } });
    same({ errors: undefined, data: { a: 1 }, extensions: undefined });
  });

  it('keeps key order, integer-like keys first as JSON.stringify does', () => {
    same({ data: { b: 1, 2: 'two', a: 3, 1: 'one', [-1]: 'minus' } });
  });

  it('uses toJSON, boxed primitives and null-prototype objects as JSON.stringify does', () => {
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    same({ data: { when: new Date(0), boxed: [new Number(3), new String('s'), new Boolean(false)], bare, custom: { toJSON: (key: string) => `key ${key}` } } });
    same({ data: { gone: { toJSON: () => undefined }, list: [{ toJSON: () => undefined }] } });
  });

  it('calls a toJSON once, never the toJSON of what it returned, as JSON.stringify does', () => {
    let calls = 0;
    const counted = { toJSON: () => ((calls += 1), { inner: { toJSON: () => 'inner converted' }, again: { toJSON: () => 1 } }) };
    same({ data: { x: { toJSON: () => ({ toJSON: () => 1 }) }, y: { toJSON: () => new Number(4) }, counted } });
    calls = 0;
    resultJson({ data: { counted } });
    expect(calls).toBe(1);
  });

  it('answers a result asked for while one is being written (a getter) without mixing the two', () => {
    const inner = { data: { b: 2 } };
    const outer = {
      data: {
        a: 1,
        get nested() {
          return resultJson(inner);
        },
      },
    };
    expect(resultJson(outer)).toBe(JSON.stringify(outer) + '\n');
  });

  it('fails as JSON.stringify fails on a cycle or a bigint', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => resultJson({ data: cycle })).toThrow(TypeError);
    expect(() => resultJson({ data: { n: 1n } })).toThrow(TypeError);
  });

  it('writes an answer larger than its starting buffer, and a small one after it', () => {
    const large = { data: { items: Array.from({ length: 5_000 }, (_, i) => ({ id: String(i), text: `item ${i} `.repeat(20) })) } };
    same(large);
    same({ data: { a: 1 } });
  });
});
