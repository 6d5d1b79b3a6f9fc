import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Stable codes clients switch on; each maps to one HTTP status when it ends a request. */
export const ERROR_HTTP_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS | (string & {});

/**
 * An expected failure with a stable code. It is a GraphQLError so that Apollo Server and the
 * gateway carry `extensions.code` to the client unchanged.
 */
export class DomainError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
    this.name = 'DomainError';
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in first: send Authorization: Bearer <token>.') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${id} was not found.`, { entity, id });
  }
}

/** Bad input; `field` is the input path, e.g. `input.price.currency`. */
export class ValidationError extends DomainError {
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', message, { field });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}

const EXPOSED_CODES = new Set<string>([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE',
]);

/** Whether a client may see this error as it is: a DomainError, a request error, or a subgraph's domain error passed on. */
export function isExpectedError(formatted: GraphQLFormattedError, error: unknown): boolean {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const code = (formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
  return original instanceof DomainError || EXPOSED_CODES.has(code) || isDownstreamDomainCode(formatted);
}

/**
 * The one place unexpected errors are turned into what a client sees: anything that is not a
 * DomainError (or a request error such as a GraphQL validation error) becomes
 * INTERNAL_SERVER_ERROR with a generic message, in every mode, development included, so no SQL,
 * Prisma text or file path ever leaves a process. The error itself is logged with the request id
 * and its stack (see `errorLogPlugin` in #platform/http).
 */
export function formatError() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = (formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
    const extensions = { ...formatted.extensions };
    delete extensions.stacktrace;
    delete extensions.exception;
    if (isExpectedError(formatted, error)) {
      return { ...formatted, extensions: { ...extensions, code } };
    }
    return {
      message: 'Internal server error.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(extensions.requestId ? { requestId: extensions.requestId } : {}) },
    };
  };
}

/** Errors a subgraph raised on purpose keep their code and message through the gateway. */
function isDownstreamDomainCode(formatted: GraphQLFormattedError): boolean {
  const code = formatted.extensions?.code;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && code !== 'DOWNSTREAM_SERVICE_ERROR' && /^[A-Z_]+$/.test(code);
}
