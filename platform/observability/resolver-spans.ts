import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLResolveInfo } from 'graphql';
import { isTracingEnabled } from './trace-context.js';

function insideList(path: GraphQLResolveInfo['path'] | undefined): boolean {
  for (let at = path?.prev; at; at = at.prev) if (typeof at.key === 'number') return true;
  return false;
}

function pathOf(path: GraphQLResolveInfo['path']): string {
  const keys: (string | number)[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = path; at; at = at.prev) keys.unshift(at.key);
  return keys.join('.');
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Wraps every field that has a resolver in a span (`resolve Query.placeOrder`), so a trace shows
 * which resolver issued which SQL. Fields under a list item are left out: they run once per item
 * (their loaders batch the work into one statement), and a span each would drown the trace.
 * Does nothing unless tracing is on.
 */
export function traceResolvers(schema: GraphQLSchema, service: string): GraphQLSchema {
  if (!isTracingEnabled()) return schema;
  const tracer = trace.getTracer(service);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const name = `resolve ${type.name}.${field.name}`;
      const traced: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
        if (insideList(info.path)) return resolve(source, args, ctx, info);
        return tracer.startActiveSpan(name, { attributes: { 'graphql.field.name': field.name, 'graphql.field.path': pathOf(info.path), 'graphql.parent.type': type.name } }, (span) => {
          try {
            const result = resolve(source, args, ctx, info);
            if (result instanceof Promise) {
              return result.then(
                (value) => {
                  span.end();
                  return value;
                },
                (error: unknown) => {
                  fail(span, error);
                  span.end();
                  throw error;
                },
              );
            }
            span.end();
            return result;
          } catch (error) {
            fail(span, error);
            span.end();
            throw error;
          }
        });
      };
      field.resolve = traced;
    }
  }
  return schema;
}
