import { buildSchema, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { OperationLimiter, withListSizes } from '../../gateway/src/operations/operation-limits.js';

const schema = buildSchema(`
  type Query { products(first: Int = 20, after: String): [Product] }
  type Product { id: ID  name: String  related(first: Int = 5): [Product] }
`);
const limits = { maxDepth: 4, maxAliases: 2, maxDirectives: 2, maxTokens: 60, maxCost: 2_000, maxBatchSize: 10 };
const limiter = new OperationLimiter(limits);
const check = (source: string, variables: Record<string, unknown> = {}) => limiter.check(`h-${source}`, source, variables, schema)?.code ?? null;

describe('operation limits', () => {
  it('writes page sizes from variables, variable defaults and schema defaults into the document', () => {
    const document = parse('query($n: Int, $m: Int = 7) { products(first: $n) { related(first: $m) { id } } a: products { id } }');
    const printed = print(withListSizes(document, schema, { n: 50 }));
    expect(printed).toContain('products(first: 50)');
    expect(printed).toContain('related(first: 7)');
    expect(printed).toContain('a: products(first: 20)');
  });

  it('admits an ordinary operation', () => {
    expect(check('{ products(first: 10) { id name } }')).toBeNull();
  });

  it('names the limit an operation breaks', () => {
    expect(check('{ products { related { related { related { related { id } } } } } }')).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(check('{ a: products { id } b: products { id } c: products { id } }')).toBe('ALIAS_LIMIT_EXCEEDED');
    expect(check('{ products @include(if: true) @include(if: true) @skip(if: false) { id } }')).toBe('DIRECTIVE_LIMIT_EXCEEDED');
    expect(check(`{ products { ${'id '.repeat(80)} } }`)).toBe('TOKEN_LIMIT_EXCEEDED');
  });

  it('estimates the cost with the page sizes of the request', () => {
    const query = 'query($n: Int) { products(first: $n) { related(first: $n) { name } } }';
    expect(check(query, { n: 2 })).toBeNull();
    expect(check(query, { n: 100 })).toBe('COST_LIMIT_EXCEEDED');
  });

  it('leaves a document that does not parse to the server to report', () => {
    expect(check('{ products { id ')).toBeNull();
  });
});

describe('validation messages in production', () => {
  it('lose their "Did you mean" suggestions, which would map the schema', async () => {
    const { withoutSuggestions } = await import('../../gateway/src/plugins/error-hygiene.js');
    const formatted = withoutSuggestions({ message: 'Cannot query field "prodcts" on type "Query". Did you mean "products"?', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatted).toEqual({ message: 'Cannot query field "prodcts" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
