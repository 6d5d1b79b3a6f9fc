import { describe, expect, it } from 'vitest';
import { errorOf } from '../harness/errors.js';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { badString, checkOperationInputs, isId, requireId, requireInt, requireMoney, requireText } from '#platform/errors';


const ID = '3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b';

describe('ids', () => {
  it('accepts a UUID and lower-cases it', () => {
    expect(requireId(ID, 'productId')).toBe(ID);
    expect(requireId(ID.toUpperCase(), 'productId')).toBe(ID);
    expect(isId(ID.toUpperCase())).toBe(true);
  });

  it.each(['', 'kitchen', `${ID}x`, ` ${ID}`, ID.replace(/-/g, ''), `${ID.slice(0, -1)}g`, "1' OR '1'='1"])(
    'refuses %j as bad user input naming the field',
    (value) => {
      expect(isId(value)).toBe(false);
      const error = errorOf(() => requireId(value, 'input.categoryId'));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.extensions.field).toBe('input.categoryId');
      expect(error.message).toContain('input.categoryId');
    },
  );
});

describe('text', () => {
  it('trims and returns the text', () => {
    expect(requireText('  Aurora Lamp \n', 'input.name', { max: 200 })).toBe('Aurora Lamp');
  });

  it.each(['', '   ', '\t\n', null, undefined])('refuses %j as empty', (value) => {
    const error = errorOf(() => requireText(value, 'input.name', { max: 200 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('input.name');
    expect(error.message).toMatch(/empty/);
  });

  it('refuses text over the maximum, counted after trimming', () => {
    expect(requireText(`  ${'a'.repeat(10)}  `, 'reason', { max: 10 })).toBe('a'.repeat(10));
    const error = errorOf(() => requireText('a'.repeat(11), 'reason', { max: 10 }));
    expect(error.extensions.field).toBe('reason');
    expect(error.message).toMatch(/at most 10/);
  });

  it('honours a minimum length', () => {
    expect(requireText('abc', 'code', { max: 10, min: 3 })).toBe('abc');
    expect(errorOf(() => requireText('ab', 'code', { max: 10, min: 3 })).code).toBe('BAD_USER_INPUT');
  });
});

describe('whole numbers', () => {
  it('accepts the bounds of the range', () => {
    expect(requireInt(0, 'threshold', { min: 0, max: 10 })).toBe(0);
    expect(requireInt(10, 'threshold', { min: 0, max: 10 })).toBe(10);
  });

  it.each([-1, 11, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s naming the field and the range', (value) => {
    const error = errorOf(() => requireInt(value, 'threshold', { min: 0, max: 10 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('threshold');
    expect(error.message).toMatch(/0 to 10/);
  });
});

describe('money', () => {
  it('accepts whole minor units and an ISO code, from zero up to the maximum', () => {
    expect(requireMoney({ amount: 1999, currency: 'USD' }, 'input.price')).toEqual({ amount: 1999, currency: 'USD' });
    expect(requireMoney({ amount: 0, currency: 'EUR' }, 'input.price')).toEqual({ amount: 0, currency: 'EUR' });
    expect(requireMoney({ amount: 1_000_000_000, currency: 'JPY' }, 'input.price').amount).toBe(1_000_000_000);
  });

  it('returns only amount and currency, whatever else came in', () => {
    const money = requireMoney({ amount: 5, currency: 'USD', extra: 'x' } as never, 'price');
    expect(money).toEqual({ amount: 5, currency: 'USD' });
  });

  it.each([-1, 19.99, 1_000_000_001, Number.NaN])('refuses the amount %s naming price.amount', (amount) => {
    const error = errorOf(() => requireMoney({ amount, currency: 'USD' }, 'input.price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('input.price.amount');
  });

  it.each(['usd', 'US', 'EURO', '', 'U$D', ' USD'])('refuses the currency %j naming price.currency', (currency) => {
    const error = errorOf(() => requireMoney({ amount: 100, currency }, 'input.price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('input.price.currency');
  });
});

describe('the one check of every string input', () => {
  it.each([
    ['a NUL', 'a\u0000b', 'must not contain NUL characters'],
    ['a lone high surrogate', 'a\uD800', 'lone surrogate'],
    ['a lone low surrogate', '\uDC00b', 'lone surrogate'],
    ['an escape character', 'a\u001Bb', 'control characters'],
    ['a C1 control', 'a\u0085b', 'control characters'],
    ['a line break in a name', 'a\nb', 'one line'],
    ['1,025 characters in a name', 'x'.repeat(1025), 'at most 1024'],
  ])('refuses %s', (_label, value, message) => {
    expect(badString(value, 'input.name', 'String')).toContain(message);
  });

  it('allows tabs and line breaks in free text, up to 10,000 characters, and emoji (surrogate pairs) anywhere', () => {
    expect(badString('one\n\ttwo\r\n', 'input.description', 'String')).toBeNull();
    expect(badString('x'.repeat(10_000), 'input.description', 'String')).toBeNull();
    expect(badString('x'.repeat(10_001), 'input.description', 'String')).toContain('at most 10000');
    expect(badString('Lamp 💡 Ünïcödé', 'input.name', 'String')).toBeNull();
  });

  it('refuses an ID that is not a UUID', () => {
    expect(badString('kitchen', 'productId', 'ID')).toBe('productId is not a valid id.');
    expect(badString(ID, 'productId', 'ID')).toBeNull();
  });
});

describe("an operation's string inputs, checked on every request", () => {
  const schema = buildSchema(`
    input LineInput { productId: ID!, quantity: Int! }
    input OrderInput { note: String, items: [LineInput!]! }
    type Query { product(id: ID!): String, search(text: String): String }
    type Mutation { placeOrder(input: OrderInput!): String }
  `);
  const document = parse(`
    mutation Place($input: OrderInput!, $skip: Boolean!) { placeOrder(input: $input) @skip(if: $skip) ...More }
    fragment More on Mutation { again: placeOrder(input: { note: "fixed", items: [{ productId: "${ID}", quantity: 1 }] }) }
  `);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const order = (productId: string, note = 'ok') => ({ input: { note, items: [{ productId, quantity: 1 }] }, skip: false });

  it('checks the variables of each request, also when the same parsed operation comes again', () => {
    expect(checkOperationInputs(schema, document, operation, order(ID))).toBeNull();
    expect(checkOperationInputs(schema, document, operation, order('kitchen'))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.items[0].productId' });
    expect(checkOperationInputs(schema, document, operation, order(ID, 'a\u0000b'))?.extensions).toMatchObject({ field: 'input.note' });
    expect(checkOperationInputs(schema, document, operation, order(ID))).toBeNull();
  });

  it("checks literals in the operation's fragments, and types the arguments again for another schema", () => {
    const literal = parse(`query { product(id: "kitchen") }`);
    const query = literal.definitions[0] as OperationDefinitionNode;
    expect(checkOperationInputs(schema, literal, query, {})?.extensions).toMatchObject({ field: 'id' });
    // the same operation against a schema where the argument is free text: no longer an id
    const textSchema = buildSchema('type Query { product(id: String!): String }');
    expect(checkOperationInputs(textSchema, literal, query, {})).toBeNull();
  });
});
