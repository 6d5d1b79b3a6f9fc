// The one graphql-js build every schema tool here uses: the CommonJS one, which @apollo/composition
// and Node's own resolution of `import 'graphql'` load. A runner that resolves `graphql` to its ES
// module build instead (vitest does) would otherwise hand schemas from one realm to functions of the
// other, which graphql-js refuses ("Cannot use GraphQLScalarType from another module or realm").
import { createRequire } from 'node:module';

const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export const {
  buildSchema,
  getLocation,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  print,
  printSchema,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
} = graphql;

export type * from 'graphql';
