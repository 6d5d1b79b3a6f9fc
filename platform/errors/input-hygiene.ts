import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ValidationError } from './errors.js';

/** The longest string any single-line input may be (a password included). */
export const MAX_LINE_LENGTH = 1_024;
/** The longest free text (a description, a reason). */
export const MAX_TEXT_LENGTH = 10_000;
/** Input fields and arguments that hold free text, where tabs and line breaks make sense. */
const FREE_TEXT = new Set(['description', 'reason']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls but tab, line feed and carriage return; DEL; C1 controls
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/;

/** Why `value` is no acceptable input for a `String`/`ID` at `field`, or null. */
export function badString(value: string, field: string, kind: 'ID' | 'String'): string | null {
  const name = field.replace(/\[\d+\]$/, '').split('.').pop()!;
  const freeText = kind === 'String' && FREE_TEXT.has(name);
  if (value.includes('\u0000')) return `${field} must not contain NUL characters.`;
  if (LONE_SURROGATE.test(value)) return `${field} is not valid Unicode text (it holds a lone surrogate).`;
  if (CONTROL.test(value)) return `${field} must not contain control characters.`;
  if (!freeText && LINE_BREAK_OR_TAB.test(value)) return `${field} must be one line, without tabs or line breaks.`;
  const max = freeText ? MAX_TEXT_LENGTH : MAX_LINE_LENGTH;
  if (value.length > max) return `${field} must be at most ${max} characters.`;
  if (kind === 'ID' && !UUID.test(value)) return `${field} is not a valid id.`;
  return null;
}

/** Walks one argument's value along its input type; the first bad string found, or null. */
function checkValue(value: unknown, type: GraphQLInputType, field: string): ValidationError | null {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // a single value where a list is expected is coerced to a list of one
    const items = Array.isArray(value) ? value : [value];
    for (const [index, item] of items.entries()) {
      const bad = checkValue(item, nullable.ofType, `${field}[${index}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    const fields = nullable.getFields();
    for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
      const definition = fields[name];
      if (!definition) continue; // validation refuses unknown fields
      const bad = checkValue(inner, definition.type, `${field}.${name}`);
      if (bad) return bad;
    }
    return null;
  }
  const named = getNamedType(nullable).name;
  if ((named === 'String' || named === 'ID') && typeof value === 'string') {
    const message = badString(value, field, named);
    if (message) return new ValidationError(field, message);
  }
  return null;
}

/** The operation with its document's fragments: what a walk of the operation must see. */
function scopedTo(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  return { kind: Kind.DOCUMENT, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] };
}

/** One argument the operation passes, in document order: its name, its input type and its value as written. */
interface ArgumentUse {
  name: string;
  type: GraphQLInputType;
  value: ArgumentNode['value'];
}

/**
 * The arguments of each operation (with its document's fragments), with the schema they were typed
 * by. They depend on the operation alone, not on the request's variables: Apollo Server keeps one
 * parsed document per query string, so a repeated operation is walked once, and again only if the
 * schema changes (a new supergraph at the gateway).
 */
const argumentsByOperation = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; uses: ArgumentUse[] }>();

function argumentsOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): ArgumentUse[] {
  const known = argumentsByOperation.get(operation);
  if (known?.schema === schema) return known.uses;
  const uses: ArgumentUse[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    scopedTo(document, operation),
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        // an argument the schema does not know is refused by validation
        if (argument) uses.push({ name: node.name.value, type: argument.type, value: node.value });
        return false;
      },
    }),
  );
  argumentsByOperation.set(operation, { schema, uses });
  return uses;
}

/**
 * The one check of every string an operation takes, literal or variable, at any depth of an input
 * object or list: no NUL, no lone surrogate, no control characters (tabs and line breaks only in
 * free text), a maximum length, and ids that can name a record. Returns the first refusal
 * (BAD_USER_INPUT with `field`, the argument's path such as `input.items[0].productId`), or null.
 */
export function checkOperationInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): ValidationError | null {
  for (const { name, type, value } of argumentsOf(schema, document, operation)) {
    // literals are coerced here; a variable stands for the request's value as sent
    const given = value.kind === Kind.VARIABLE ? variables?.[value.name.value] : literalValue(value, type, variables);
    const found = checkValue(given, type, name);
    if (found) return found;
  }
  return null;
}

/** A literal argument (which may hold variables inside lists and objects) as a plain value. */
function literalValue(node: Parameters<typeof valueFromAST>[0], type: GraphQLInputType, variables: Record<string, unknown> | undefined): unknown {
  return valueFromAST(node, type, variables ?? {});
}
