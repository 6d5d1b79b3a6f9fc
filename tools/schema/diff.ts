// Changes between two API schemas, classified breaking / dangerous / safe by @graphql-inspector/core,
// each with the schema coordinate it concerns and the usage keys (see operations.ts) that tell
// which client operations it can break.
import { CriticalityLevel, diff, DiffRule, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from './graphql-js.js';

export type ChangeSeverity = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  severity: ChangeSeverity;
  /** The library's change type, e.g. FIELD_REMOVED. */
  type: string;
  /** `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field` or `@directive`. */
  coordinate: string;
  /** Short wording for the report, e.g. `Product.sku removed`. */
  summary: string;
  /** The library's own wording. */
  message: string;
  reason?: string;
  /**
   * An operation is affected when it used any of these (against the base schema): `Type.field`,
   * `Type.field(arg:)`, `Enum.VALUE`, `Input.field`, `type:Name`, `input:Name`, `Abstract~Member`, `@directive`.
   */
  usageKeys: string[];
}

const SEVERITY: Record<CriticalityLevel, ChangeSeverity> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

type Meta = Record<string, string | boolean | null | undefined | string[]>;

function isRequired(type: unknown): boolean {
  return typeof type === 'string' && type.endsWith('!');
}

/** Coordinate, summary and usage keys of one change; falls back to the library's path. */
function describe(change: Change): { coordinate: string; summary: string; usageKeys: string[] } {
  const m = change.meta as Meta;
  const s = (key: string) => String(m[key] ?? '');
  const field = () => `${s('typeName')}.${s('fieldName')}`;
  switch (change.type) {
    case 'FIELD_REMOVED': {
      const c = `${s('typeName')}.${s('removedFieldName')}`;
      return { coordinate: c, summary: `${c} removed`, usageKeys: [c] };
    }
    case 'FIELD_ADDED': {
      const c = `${s('typeName')}.${s('addedFieldName')}`;
      return { coordinate: c, summary: `${c} added (${s('addedFieldReturnType')})`, usageKeys: [c] };
    }
    case 'FIELD_TYPE_CHANGED':
      return {
        coordinate: field(),
        summary: `${field()} type changed from ${s('oldFieldType')} to ${s('newFieldType')}`,
        usageKeys: [field()],
      };
    case 'FIELD_ARGUMENT_ADDED': {
      const c = `${s('typeName')}.${s('fieldName')}(${s('addedArgumentName')}:)`;
      const required = isRequired(m.addedArgumentType) && !m.hasDefaultValue;
      return {
        coordinate: c,
        summary: `${c} added as ${required ? 'a required' : 'an optional'} argument (${s('addedArgumentType')})`,
        // A new required argument breaks every operation that selects the field without it.
        usageKeys: [field()],
      };
    }
    case 'FIELD_ARGUMENT_REMOVED': {
      const c = `${field()}(${s('removedFieldArgumentName')}:)`;
      return { coordinate: c, summary: `${c} removed`, usageKeys: [c] };
    }
    case 'FIELD_ARGUMENT_TYPE_CHANGED': {
      const c = `${field()}(${s('argumentName')}:)`;
      // Becoming required also breaks operations that leave the argument out.
      const keys = isRequired(m.newArgumentType) && !isRequired(m.oldArgumentType) ? [field()] : [c];
      return { coordinate: c, summary: `${c} type changed from ${s('oldArgumentType')} to ${s('newArgumentType')}`, usageKeys: keys };
    }
    case 'FIELD_ARGUMENT_DEFAULT_CHANGED': {
      const c = `${field()}(${s('argumentName')}:)`;
      return { coordinate: c, summary: `${c} default changed from ${s('oldDefaultValue') || 'none'} to ${s('newDefaultValue') || 'none'}`, usageKeys: [field()] };
    }
    case 'ENUM_VALUE_REMOVED': {
      const c = `${s('enumName')}.${s('removedEnumValueName')}`;
      return { coordinate: c, summary: `${c} removed`, usageKeys: [c, `input:${s('enumName')}`] };
    }
    case 'ENUM_VALUE_ADDED': {
      const c = `${s('enumName')}.${s('addedEnumValueName')}`;
      return { coordinate: c, summary: `${c} added`, usageKeys: [`type:${s('enumName')}`] };
    }
    case 'INPUT_FIELD_REMOVED': {
      const c = `${s('inputName')}.${s('removedFieldName')}`;
      return { coordinate: c, summary: `${c} removed`, usageKeys: [c, `input:${s('inputName')}`] };
    }
    case 'INPUT_FIELD_ADDED': {
      const c = `${s('inputName')}.${s('addedInputFieldName')}`;
      const required = !m.isAddedInputFieldTypeNullable && m.addedFieldDefault === undefined;
      return {
        coordinate: c,
        summary: `${c} added as ${required ? 'a required' : 'an optional'} input field (${s('addedInputFieldType')})`,
        usageKeys: [`input:${s('inputName')}`],
      };
    }
    case 'INPUT_FIELD_TYPE_CHANGED': {
      const c = `${s('inputName')}.${s('inputFieldName')}`;
      return {
        coordinate: c,
        summary: `${c} type changed from ${s('oldInputFieldType')} to ${s('newInputFieldType')}`,
        usageKeys: [c, `input:${s('inputName')}`],
      };
    }
    case 'INPUT_FIELD_DEFAULT_VALUE_CHANGED': {
      const c = `${s('inputName')}.${s('inputFieldName')}`;
      return { coordinate: c, summary: `${c} default changed`, usageKeys: [c, `input:${s('inputName')}`] };
    }
    case 'TYPE_REMOVED':
      return { coordinate: s('removedTypeName'), summary: `${s('removedTypeName')} removed`, usageKeys: [`type:${s('removedTypeName')}`] };
    case 'TYPE_ADDED':
      return { coordinate: s('addedTypeName'), summary: `${s('addedTypeName')} added`, usageKeys: [] };
    case 'TYPE_KIND_CHANGED':
      return {
        coordinate: s('typeName'),
        summary: `${s('typeName')} changed kind from ${s('oldTypeKind')} to ${s('newTypeKind')}`,
        usageKeys: [`type:${s('typeName')}`],
      };
    case 'UNION_MEMBER_REMOVED':
      return {
        coordinate: s('unionName'),
        summary: `${s('removedUnionMemberTypeName')} removed from union ${s('unionName')}`,
        usageKeys: [`${s('unionName')}~${s('removedUnionMemberTypeName')}`],
      };
    case 'UNION_MEMBER_ADDED':
      return {
        coordinate: s('unionName'),
        summary: `${s('addedUnionMemberTypeName')} added to union ${s('unionName')}`,
        usageKeys: [`type:${s('unionName')}`],
      };
    case 'OBJECT_TYPE_INTERFACE_REMOVED':
      return {
        coordinate: s('objectTypeName'),
        summary: `${s('objectTypeName')} no longer implements ${s('removedInterfaceName')}`,
        usageKeys: [`${s('removedInterfaceName')}~${s('objectTypeName')}`],
      };
    case 'OBJECT_TYPE_INTERFACE_ADDED':
      return {
        coordinate: s('objectTypeName'),
        summary: `${s('objectTypeName')} now implements ${s('addedInterfaceName')}`,
        usageKeys: [`type:${s('addedInterfaceName')}`],
      };
    case 'SCHEMA_QUERY_TYPE_CHANGED':
    case 'SCHEMA_MUTATION_TYPE_CHANGED':
    case 'SCHEMA_SUBSCRIPTION_TYPE_CHANGED': {
      const kind = change.type.split('_')[1]!.toLowerCase();
      const old = String(m[`old${kind[0]!.toUpperCase()}${kind.slice(1)}TypeName`] ?? 'none');
      return { coordinate: old, summary: change.message, usageKeys: [`type:${old}`] };
    }
    default:
      break;
  }
  if (change.type.startsWith('DIRECTIVE_') && !change.type.startsWith('DIRECTIVE_USAGE_')) {
    const name = String(m.directiveName ?? m.removedDirectiveName ?? m.addedDirectiveName ?? '');
    return { coordinate: `@${name}`, summary: change.message, usageKeys: [`@${name}`] };
  }
  // Descriptions, deprecations and directive usages: path segments are Type, field, argument.
  const parts = (change.path ?? '').split('.').filter(Boolean);
  const coordinate =
    parts.length >= 3 ? `${parts[0]}.${parts[1]}(${parts[2]}:)` : parts.length ? parts.join('.') : change.type;
  const usageKeys = parts.length === 1 ? [`type:${parts[0]}`] : parts.length >= 2 ? [`${parts[0]}.${parts[1]}`] : [];
  return { coordinate, summary: change.message, usageKeys };
}

/** Every change from `oldSchema` to `newSchema`, breaking first. */
export async function diffSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): Promise<SchemaChange[]> {
  // simplifyChanges folds what an added type or field implies (its fields, descriptions) into the addition.
  const changes = await diff(oldSchema, newSchema, [DiffRule.simplifyChanges]);
  const order: ChangeSeverity[] = ['breaking', 'dangerous', 'safe'];
  return changes
    .map((change): SchemaChange => {
      const { coordinate, summary, usageKeys } = describe(change);
      return {
        severity: SEVERITY[change.criticality.level],
        type: change.type,
        coordinate,
        summary,
        message: change.message,
        ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
        usageKeys,
      };
    })
    .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || a.coordinate.localeCompare(b.coordinate));
}
