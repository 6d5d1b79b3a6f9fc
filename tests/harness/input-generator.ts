// Walks a GraphQL schema for every string an operation can take (String and ID arguments and the
// String/ID fields of input objects, at any depth) and builds, for each, an operation that reaches
// it with every other argument filled with a valid-looking value: the hostile input suites feed the
// one string bad characters and expect the central check's refusal naming exactly its path.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One string input: the operation that reaches it and how to put a value there. */
export interface StringInput {
  /** `Mutation.createProduct(input.price.currency)` */
  label: string;
  /** The path the refusal must name: `input.price.currency`. */
  field: string;
  kind: 'String' | 'ID';
  /** Free text (tabs and line breaks allowed): fields named description or reason. */
  freeText: boolean;
  operation: string;
  /** The variables with `value` at the string's place. */
  variables(value: string): Record<string, unknown>;
}

/** A value of `type` that passes GraphQL's own coercion. */
export function sampleValue(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [sampleValue(nullable.ofType)];
  if (isInputObjectType(nullable)) return Object.fromEntries(Object.values(nullable.getFields()).map((f) => [f.name, sampleValue(f.type)]));
  if (isEnumType(nullable)) return nullable.getValues()[0]!.value;
  switch (getNamedType(nullable).name) {
    case 'ID':
      return randomUUID();
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    default:
      return 'x';
  }
}

/** Every path to a String/ID leaf inside a value of `type`, with a setter on a sample value. */
export function stringLeaves(type: GraphQLInputType, path: string, seen: Set<string> = new Set()): { path: string; kind: 'String' | 'ID'; steps: (string | number)[] }[] {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return stringLeaves(nullable.ofType, `${path}[0]`, seen).map((leaf) => ({ ...leaf, steps: [0, ...leaf.steps] }));
  if (isInputObjectType(nullable)) {
    if (seen.has(nullable.name)) return [];
    const inner = new Set([...seen, nullable.name]);
    return Object.values(nullable.getFields()).flatMap((f) => stringLeaves(f.type, `${path}.${f.name}`, inner).map((leaf) => ({ ...leaf, steps: [f.name, ...leaf.steps] })));
  }
  const name = getNamedType(nullable).name;
  return isScalarType(nullable) && (name === 'String' || name === 'ID') ? [{ path, kind: name, steps: [] }] : [];
}

export function setAt(target: unknown, steps: (string | number)[], value: unknown): unknown {
  if (steps.length === 0) return value;
  const [step, ...rest] = steps;
  const copy = (Array.isArray(target) ? [...target] : { ...(target as object) }) as Record<string | number, unknown>;
  copy[step!] = setAt(copy[step!], rest, value);
  return copy;
}

/** How to reach each object type from a root: the selections leading to it (first found, breadth first). */
function routes(root: GraphQLObjectType): Map<string, { prefix: string[]; suffix: string[]; args: { name: string; arg: GraphQLArgument; at: string }[] }> {
  const found = new Map<string, { prefix: string[]; suffix: string[]; args: { name: string; arg: GraphQLArgument; at: string }[] }>();
  found.set(root.name, { prefix: [], suffix: [], args: [] });
  const queue: GraphQLObjectType[] = [root];
  while (queue.length) {
    const type = queue.shift()!;
    const route = found.get(type.name)!;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || found.has(target.name) || field.name.startsWith('_')) continue;
      const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
      const at = `${type.name}.${field.name}`;
      const args = required.map((arg) => ({ name: `${field.name}_${arg.name}_${found.size}`, arg, at }));
      const call = args.length ? `${field.name}(${args.map((a) => `${a.arg.name}: $${a.name}`).join(', ')})` : field.name;
      found.set(target.name, { prefix: [...route.prefix, `${call} {`], suffix: ['}', ...route.suffix], args: [...route.args, ...args] });
      queue.push(target);
    }
  }
  return found;
}

/** Every string input reachable over HTTP from Query and Mutation, one operation each. */
export function stringInputs(schema: GraphQLSchema): StringInput[] {
  const inputs: StringInput[] = [];
  for (const [keyword, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (!root) continue;
    const reach = routes(root);
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const route = reach.get(type.name);
      if (!route) continue;
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        for (const arg of field.args) {
          for (const leaf of stringLeaves(arg.type, arg.name)) {
            const named = getNamedType(field.type);
            const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
            const own = field.args.map((a) => ({ name: `a_${a.name}`, arg: a }));
            const declared = [...route.args, ...own].map((a) => `$${a.name}: ${a.arg.type.toString()}`).join(', ');
            const call = `${field.name}(${own.map((a) => `${a.arg.name}: $${a.name}`).join(', ')})${selection}`;
            const operation = `${keyword} Probe(${declared}) { ${[...route.prefix, call, ...route.suffix].join(' ')} }`;
            const base = Object.fromEntries([...route.args, ...own].map((a) => [a.name, sampleValue(a.arg.type)]));
            const name = leaf.path.replace(/\[\d+\]$/, '').split('.').pop()!;
            inputs.push({
              label: `${type.name}.${field.name}(${leaf.path})`,
              field: leaf.path,
              kind: leaf.kind,
              freeText: leaf.kind === 'String' && (name === 'description' || name === 'reason'),
              operation,
              variables: (value) => ({ ...base, [`a_${arg.name}`]: setAt(base[`a_${arg.name}`], leaf.steps, value) }),
            });
          }
        }
      }
    }
  }
  // one probe per field path (a type reachable from both roots is probed once)
  return [...new Map(inputs.map((input) => [input.label, input])).values()];
}

/** The bad strings every input is fed, each with the inputs it applies to. */
export const BAD_STRINGS: { label: string; value: string; applies: (input: StringInput) => boolean }[] = [
  { label: 'a NUL character', value: 'a\u0000b', applies: () => true },
  { label: 'a lone high surrogate', value: 'a\uD800b', applies: () => true },
  { label: 'a lone low surrogate', value: '\uDC00', applies: () => true },
  { label: 'a bell control character', value: 'a\u0007b', applies: () => true },
  { label: 'a C1 control character', value: 'a\u009Bb', applies: () => true },
  { label: 'a line break in a one-line field', value: 'a\nb', applies: (input) => !input.freeText },
  { label: '10,001 characters', value: 'x'.repeat(10_001), applies: () => true },
];
