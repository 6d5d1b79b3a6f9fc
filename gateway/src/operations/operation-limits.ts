import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { EdgeConfig } from '../edge-config.js';

export type OperationLimits = EdgeConfig['limits'];

/** The list-size arguments the cost estimate multiplies by (connections take `first`). */
const LIST_SIZE_ARGUMENTS = new Set(['first', 'last']);

/** graphql-armor's messages start "Syntax Error:", which these are not. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^Syntax Error:\s*/, '');
}

/**
 * The document as the cost estimate should see it: list sizes given through variables (or left to
 * the schema's default) written in as literals, since graphql-armor's estimate multiplies by
 * literal `first`/`last` only and `products(first: $n)` would otherwise count as one item.
 */
export function withListSizes(document: DocumentNode, schema: GraphQLSchema, variables: Record<string, unknown>): DocumentNode {
  const defaults = new Map<string, unknown>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      if (variable.defaultValue?.kind === Kind.INT) defaults.set(variable.variable.name.value, Number(variable.defaultValue.value));
    }
  }
  const size = (value: unknown): ArgumentNode['value'] | null =>
    Number.isSafeInteger(value) && (value as number) >= 0 ? { kind: Kind.INT, value: String(value) } : null;
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node) {
          const field = typeInfo.getFieldDef();
          if (!field) return undefined;
          const given = new Set(node.arguments?.map((a) => a.name.value));
          const arguments_ = (node.arguments ?? []).map((argument) => {
            if (!LIST_SIZE_ARGUMENTS.has(argument.name.value) || argument.value.kind !== Kind.VARIABLE) return argument;
            const name = argument.value.name.value;
            const literal = size(name in variables ? variables[name] : defaults.get(name));
            return literal ? { ...argument, value: literal } : argument;
          });
          for (const argument of field.args) {
            if (LIST_SIZE_ARGUMENTS.has(argument.name) && !given.has(argument.name)) {
              const literal = size(argument.defaultValue);
              if (literal) arguments_.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argument.name }, value: literal });
            }
          }
          return { ...node, arguments: arguments_ };
        },
      },
    }),
  );
}

export interface LimitRefusal {
  code:
    | 'TOKEN_LIMIT_EXCEEDED'
    | 'ALIAS_LIMIT_EXCEEDED'
    | 'DIRECTIVE_LIMIT_EXCEEDED'
    | 'DEPTH_LIMIT_EXCEEDED'
    | 'COST_LIMIT_EXCEEDED'
    | 'OPERATION_NAME_REQUIRED'
    | 'OPERATION_NOT_FOUND';
  message: string;
}

/** What is remembered of a document that passed the static limits. */
interface AdmittedDocument {
  document: DocumentNode;
  operationNames: (string | undefined)[];
  /** The variables the cost estimate reads (list sizes): the cost is remembered per their values. */
  listSizeVariables: string[];
  schema: GraphQLSchema;
  costs: Map<string, LimitRefusal | null>;
}

const COSTS_PER_DOCUMENT = 64;

function listSizeVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (LIST_SIZE_ARGUMENTS.has(node.name.value) && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * Measures an operation before anything else looks at it (before graphql-js validation, whose
 * cost grows with aliases, and long before planning), with graphql-armor's measures: tokens,
 * aliases, directives, depth, then a cost estimate with the page sizes the request asks for.
 * Everything that depends only on the document is remembered by its hash (hot operations are
 * parsed and measured once); the cost estimate is remembered per document and page sizes.
 */
export class OperationLimiter {
  private readonly rules: { code: LimitRefusal['code']; rule: ValidationRule }[];
  private readonly cost: ValidationRule;
  private readonly admitted = new Map<string, AdmittedDocument>();

  constructor(private readonly limits: OperationLimits) {
    this.rules = [
      { code: 'ALIAS_LIMIT_EXCEEDED', rule: maxAliasesRule({ n: limits.maxAliases }) as unknown as ValidationRule },
      { code: 'DIRECTIVE_LIMIT_EXCEEDED', rule: maxDirectivesRule({ n: limits.maxDirectives }) as unknown as ValidationRule },
      { code: 'DEPTH_LIMIT_EXCEEDED', rule: maxDepthRule({ n: limits.maxDepth }) as unknown as ValidationRule },
    ];
    this.cost = costLimitRule({ maxCost: limits.maxCost }) as unknown as ValidationRule;
  }

  /** The first limit the operation breaks, or null. A document that does not parse is left to the GraphQL server to report. */
  check(hash: string, source: string, variables: Record<string, unknown>, schema: GraphQLSchema): LimitRefusal | null {
    let entry = this.admitted.get(hash);
    if (!entry || entry.schema !== schema) {
      const parser = new MaxTokensParserWLexer(source, { n: this.limits.maxTokens });
      let document: DocumentNode;
      try {
        document = parser.parseDocument();
      } catch (error) {
        return parser.tokenCount > this.limits.maxTokens ? { code: 'TOKEN_LIMIT_EXCEEDED', message: messageOf(error) } : null;
      }
      for (const { code, rule } of this.rules) {
        const refusal = run(schema, document, rule);
        if (refusal) return { code, message: refusal };
      }
      entry = {
        document,
        operationNames: document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : [])),
        listSizeVariables: listSizeVariablesOf(document),
        schema,
        costs: new Map(),
      };
      this.remember(hash, entry);
    }
    const key = entry.listSizeVariables.length ? JSON.stringify(entry.listSizeVariables.map((n) => (n in variables ? [variables[n]] : []))) : '';
    let refusal = entry.costs.get(key);
    if (refusal === undefined) {
      const message = run(schema, withListSizes(entry.document, schema, variables), this.cost);
      refusal = message ? { code: 'COST_LIMIT_EXCEEDED', message } : null;
      if (entry.costs.size >= COSTS_PER_DOCUMENT) entry.costs.delete(entry.costs.keys().next().value!);
      entry.costs.set(key, refusal);
    }
    return refusal;
  }

  /**
   * For HTTP, after `check` admitted the document: a document of several operations needs an
   * operationName, and it must name one of them (else 400 here, not the gateway executor's 500).
   */
  checkOperationName(hash: string, operationName: unknown): LimitRefusal | null {
    const entry = this.admitted.get(hash);
    return entry ? operationNameRefusal(entry.operationNames, operationName) : null;
  }

  private remember(hash: string, entry: AdmittedDocument): void {
    if (this.admitted.size >= 1_000) this.admitted.delete(this.admitted.keys().next().value!);
    this.admitted.set(hash, entry);
  }
}

function operationNameRefusal(names: (string | undefined)[], operationName: unknown): LimitRefusal | null {
  if (operationName === undefined || operationName === null || operationName === '') {
    return names.length > 1 ? { code: 'OPERATION_NAME_REQUIRED', message: 'The document holds several operations: operationName must say which one to run.' } : null;
  }
  if (typeof operationName !== 'string') return null;
  return names.includes(operationName) ? null : { code: 'OPERATION_NOT_FOUND', message: `The document holds no operation named "${operationName.slice(0, 100)}".` };
}

/** graphql-armor's rules throw their refusal out of validate(). */
function run(schema: GraphQLSchema, document: DocumentNode, rule: ValidationRule): string | null {
  try {
    validate(schema, document, [rule]);
    return null;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return messageOf(error);
  }
}
