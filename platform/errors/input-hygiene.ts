import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  BREAK,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
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

/**
 * Whether the operation (with its document's fragments) has any argument at all, remembered per
 * operation node: Apollo Server keeps one parsed document per query string, so an operation
 * without arguments is walked once, not on every request.
 */
const argumentsOfOperation = new WeakMap<OperationDefinitionNode, boolean>();

/** The operation with its document's fragments: what a walk of the operation must see. */
function scopedTo(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  return { kind: Kind.DOCUMENT, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] };
}

function hasArguments(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  let known = argumentsOfOperation.get(operation);
  if (known === undefined) {
    known = false;
    visit(scopedTo(document, operation), {
      Argument() {
        known = true;
        return BREAK;
      },
    });
    argumentsOfOperation.set(operation, known);
  }
  return known;
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
  // nothing is built for an operation already known to take no argument
  if (!hasArguments(document, operation)) return null;
  const scoped = scopedTo(document, operation);
  const typeInfo = new TypeInfo(schema);
  let found: ValidationError | null = null;
  visit(
    scoped,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (found) return false;
        const argument = typeInfo.getArgument();
        if (!argument) return false;
        // literals are coerced here; a variable stands for the request's value as sent
        const value = node.value.kind === Kind.VARIABLE ? variables?.[node.value.name.value] : literalValue(node.value, argument.type, variables);
        found = checkValue(value, argument.type, node.name.value);
        return false;
      },
    }),
  );
  return found;
}

/** A literal argument (which may hold variables inside lists and objects) as a plain value. */
function literalValue(node: Parameters<typeof valueFromAST>[0], type: GraphQLInputType, variables: Record<string, unknown> | undefined): unknown {
  return valueFromAST(node, type, variables ?? {});
}
