import { describe, expect, it } from 'vitest';
import { lintSubgraphs, type LintFinding } from '../../tools/schema/lint.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])\n';

function lint(sdl: string, name = 'shop'): LintFinding[] {
  return lintSubgraphs([{ name, sdl: LINK + sdl }]);
}

const rules = (findings: LintFinding[]) => findings.map((f) => `${f.severity} ${f.rule} ${f.coordinate}`).sort();

describe('schema lint', () => {
  it('accepts a well-formed subgraph', () => {
    expect(
      lint(`
        "A thing." type Thing @key(fields: "id") { "Id." id: ID! "Name." name: String! }
        "Colours." enum Colour { "Dark blue." DARK_BLUE "Red." RED }
        "A new thing." input CreateThingInput { "Name." name: String! }
        type Query { "Things." things(first: Int!, after: String): ThingConnection! }
        type Mutation { "Creates a thing." createThing(input: CreateThingInput!): Thing! }
        "A page." type ThingConnection { "Edges." edges: [ThingEdge!]! "Page." pageInfo: PageInfo! }
        "An edge." type ThingEdge { "Cursor." cursor: String! "Node." node: Thing! }
        "Page details." type PageInfo @shareable { "More?" hasNextPage: Boolean! "End." endCursor: String }
      `),
    ).toEqual([]);
  });

  it('names types in PascalCase, fields and arguments in camelCase, enum values in UPPER_CASE, inputs *Input', () => {
    const findings = lint(`
      "A thing." type product_item { "Id." id: ID! "Name." Name: String! "Size." size(Unit: String): Int }
      "Colours." enum Colour { "Red." red "Dark blue." DARK_BLUE }
      "A new thing." input NewThing { "Name." name: String! }
      type Query { "Items." items: [product_item!]! }
    `);
    expect(rules(findings)).toEqual([
      'error naming/enum-value-upper-case Colour.red',
      'error naming/field-camel-case product_item.Name',
      'error naming/field-camel-case product_item.size(Unit:)',
      'error naming/input-suffix NewThing',
      'error naming/type-pascal-case product_item',
    ]);
    expect(findings.find((f) => f.coordinate === 'product_item.Name')?.locations).toEqual([{ subgraph: 'shop', line: 3, column: 52 }]);
  });

  it('wants mutations to start with a verb', () => {
    const findings = lint(`
      "A thing." type Thing { "Id." id: ID! }
      type Query { "One." thing: Thing }
      type Mutation { "Noun first." thingCreate: Thing! "Verb first." placeThing: Thing! "Also." logout: Boolean! }
    `);
    expect(rules(findings)).toEqual(['error naming/mutation-verb-first Mutation.thingCreate']);
  });

  it('wants paginated lists to be Relay connections with edges, pageInfo, node and cursor', () => {
    const findings = lint(`
      "A thing." type Thing { "Id." id: ID! "Children." children(first: Int, after: String): [Thing!]! }
      "A page." type ThingConnection { "Edges." edges: [ThingEdge!]! "Count." totalCount: Int! }
      "An edge." type ThingEdge { "Node." node: Thing! }
      type Query { "Things." things(first: Int!, after: String): ThingConnection! "All." all: ThingConnection! }
    `);
    expect(rules(findings)).toEqual([
      'error shape/relay-connection Query.all',
      'error shape/relay-connection Query.things',
      'error shape/relay-connection Thing.children',
    ]);
    expect(findings.find((f) => f.coordinate === 'Query.things')?.message).toContain('missing ThingConnection.pageInfo, ThingEdge.cursor');
    expect(findings.find((f) => f.coordinate === 'Query.all')?.message).toContain('takes no first/after argument');
  });

  it('rejects nullable list items unless the description says when an item is null', () => {
    const findings = lint(`
      "A thing." type Thing { "Id." id: ID! "Tags." tags: [String] "One per id asked for; null where the id is unknown." byIds: [Thing]! }
      type Query { "Some." some(ids: [ID]): [Thing!]! }
    `);
    expect(rules(findings)).toEqual(['error shape/nullable-list-items Query.some(ids:)', 'error shape/nullable-list-items Thing.tags']);
  });

  it('warns about missing descriptions, but not on root types, entity stubs, or types described by another subgraph', () => {
    const findings = lintSubgraphs([
      {
        name: 'catalog',
        sdl: `${LINK}"A product." type Product @key(fields: "id") { "Id." id: ID! "Name." name: String! }
          type Query { product: Product }
          type Plain { id: ID! }
          enum Mood { HAPPY }`,
      },
      {
        name: 'inventory',
        sdl: `${LINK}type Product @key(fields: "id") { "Id." id: ID! "Stock." stock: Int! }
          type Order @key(fields: "id", resolvable: false) { id: ID! }`,
      },
    ]);
    expect(rules(findings)).toEqual([
      'warning description/missing Mood',
      'warning description/missing Mood.HAPPY',
      'warning description/missing Plain',
      'warning description/missing Plain.id',
      'warning description/missing Query.product',
    ]);
    expect(findings.every((f) => f.subgraphs.length === 1 && f.subgraphs[0] === 'catalog')).toBe(true);
  });

  it('ignores what federation itself defines', () => {
    expect(
      lint(`
        scalar _Any
        "Link import." scalar link__Import
        type Query { "Service." _service: String! }
      `),
    ).toEqual([]);
  });
});
