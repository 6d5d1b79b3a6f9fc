import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
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
  };
}
