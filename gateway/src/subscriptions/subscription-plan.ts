import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import {
  getNamedType,
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import type { SupergraphState } from './supergraph-state.js';

/** The service name of the fetch an event answers; never a subgraph's name (those are lower-case words). */
export const EVENT_SERVICE = '__SubscriptionEvent__';

/**
 * How one subscription document runs per event. The federation query planner plans a subscription
 * as a primary fetch (the root field, from the subgraph that owns it) plus the rest. An event
 * carries keys only, so the primary fetch becomes an entity fetch of the same selection from the
 * same subgraph (which re-checks the caller's right to see it), and the rest runs as planned, after
 * a fetch the event answers.
 */
export interface SubscriptionPlan {
  fieldName: string;
  /** The root field's response key (its alias, when it has one). */
  responseKey: string;
  /** The entity type the root field returns. */
  typename: string;
  /** The root field as the primary fetch selects it: its arguments, with the operation's variable names. */
  rootField: FieldNode;
  entityFetch: {
    serviceName: string;
    query: string;
    operationName: string;
    document: DocumentNode;
    /** The subscription's variables the selection uses (the root field's own arguments are not sent). */
    variableUsages: string[];
  };
  /** The rest of the plan behind the event's fetch: run by the gateway's own executor. */
  queryPlan: QueryPlan;
  /** The planner's plan, for logs and the contract test. */
  planned: QueryPlan;
  /** Fetches of the rest whose only input is an entity an event can name: they may start with the entity fetch. */
  early: EarlyFetch[];
}

/**
 * A fetch of the rest that takes one entity's `__typename` and `id` and nothing else, at the root
 * entity or at one of its fields. When the event already names that entity (the root's own id, or a
 * reference the event carries, see SubscriptionField.references), the request the executor will
 * send is known before the entity fetch answers, so it can be sent at the same time.
 */
export interface EarlyFetch {
  fetch: FetchNode;
  /** The root entity (null), or the root's field (its name, not its alias) whose entity the fetch takes. */
  field: string | null;
  /** The type condition of the fetch's input. */
  typename: string;
  /** The input's fields in the order the executor writes them (`__typename`, `id`). */
  inputFields: string[];
}

export class SubscriptionPlanError extends Error {}

function variablesIn(nodes: readonly (FieldNode | FragmentDefinitionNode)[]): Set<string> {
  const used = new Set<string>();
  for (const node of nodes) {
    visit(node, {
      Variable(variable) {
        used.add(variable.name.value);
      },
    });
  }
  return used;
}

export function planSubscription(state: SupergraphState, document: DocumentNode, operationName: string | undefined): SubscriptionPlan {
  const operation = operationFromDocument(state.apiSchemaModel, document, { operationName, validate: false });
  const planned = state.planner.buildQueryPlan(operation);
  const node = planned.node;
  if (node?.kind !== 'Subscription') throw new SubscriptionPlanError('The operation is not a subscription.');
  const primary = node.primary;

  const primaryDocument = parse(primary.operation);
  const primaryOperation = primaryDocument.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = primaryDocument.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const roots = primaryOperation?.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename') ?? [];
  if (!primaryOperation || roots.length !== 1 || !roots[0]!.selectionSet) {
    throw new SubscriptionPlanError('A subscription selects exactly one root field with a selection of its fields.');
  }
  const root = roots[0]!;
  const fieldName = root.name.value;
  const fieldDef = state.apiSchema.getSubscriptionType()?.getFields()[fieldName];
  if (!fieldDef) throw new SubscriptionPlanError(`Subscription.${fieldName} is not in the schema.`);
  const typename = getNamedType(fieldDef.type).name;

  const used = variablesIn([...(root.selectionSet!.selections as FieldNode[]), ...fragments]);
  const definitions = (primaryOperation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const operationNameOf = `${primaryOperation.name?.value ?? 'Subscription'}__entity`;
  const query = stripIgnoredCharacters(
    [
      `query ${operationNameOf}($representations:[_Any!]!${definitions.map((d) => ` ${print(d)}`).join('')})` +
        `{_entities(representations:$representations){...on ${typename}${print(root.selectionSet!)}}}`,
      ...fragments.map((f) => print(f)),
    ].join('\n'),
  );

  const eventFetch: FetchNode = { ...primary, serviceName: EVENT_SERVICE, variableUsages: [], requires: undefined };
  const rest: PlanNode = node.rest ? { kind: 'Sequence', nodes: [eventFetch, node.rest] } : eventFetch;
  return {
    fieldName,
    responseKey: root.alias?.value ?? fieldName,
    typename,
    rootField: root,
    entityFetch: {
      serviceName: primary.serviceName,
      query,
      operationName: operationNameOf,
      document: parse(query),
      variableUsages: definitions.map((d) => d.variable.name.value),
    },
    queryPlan: { kind: 'QueryPlan', node: rest },
    planned,
    early: node.rest ? earlyFetches(node.rest, root.alias?.value ?? fieldName, typename, root, fragments) : [],
  };
}

/** The input fields of a fetch that takes exactly an entity's `__typename` and `id` of one type, else null. */
function keyInput(requires: QueryPlanSelectionNode[] | undefined): { typename: string; inputFields: string[] } | null {
  if (requires?.length !== 1) return null;
  const fragment = requires[0]!;
  if (fragment.kind !== 'InlineFragment' || !fragment.typeCondition) return null;
  const names = fragment.selections.map((s) => (s.kind === 'Field' && !s.alias && !s.selections ? s.name : null));
  if (names.length !== 2 || !names.includes('__typename') || !names.includes('id')) return null;
  return { typename: fragment.typeCondition, inputFields: names as string[] };
}

/** The name of the root's field answered under `responseKey` (its alias or name), looked up in the primary fetch's selection. */
function fieldNameAt(root: FieldNode, fragments: FragmentDefinitionNode[], responseKey: string): string | null {
  const search = (selections: readonly SelectionNode[]): string | null => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === responseKey) return selection.name.value;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = search(selection.selectionSet.selections);
        if (found) return found;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.find((f) => f.name.value === selection.name.value);
        const found = fragment ? search(fragment.selectionSet.selections) : null;
        if (found) return found;
      }
    }
    return null;
  };
  return search(root.selectionSet?.selections ?? []);
}

/** The rest's fetches that take only the root entity, or the entity behind one of the root's fields, by its key (see EarlyFetch). */
function earlyFetches(rest: PlanNode, responseKey: string, typename: string, root: FieldNode, fragments: FragmentDefinitionNode[]): EarlyFetch[] {
  const found: EarlyFetch[] = [];
  const visitNode = (node: PlanNode): void => {
    if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(visitNode);
    if (node.kind !== 'Flatten' || node.node.kind !== 'Fetch') return;
    const fetch = node.node;
    const input = keyInput(fetch.requires);
    if (!input || fetch.inputRewrites?.length || fetch.contextRewrites?.length || node.path[0] !== responseKey) return;
    if (node.path.length === 1 && input.typename === typename) found.push({ fetch, field: null, ...input });
    if (node.path.length === 2 && node.path[1] !== '@') {
      const field = fieldNameAt(root, fragments, String(node.path[1]));
      if (field) found.push({ fetch, field, ...input });
    }
  };
  visitNode(rest);
  return found;
}
