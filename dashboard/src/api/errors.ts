import type { CombinedError } from '@urql/core';

/** What each `extensions.code` the gateway uses means to the person at the dashboard. */
const WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Not signed in, or the session has ended',
  FORBIDDEN: 'Your account may not do this',
  BAD_USER_INPUT: 'Some input is not valid',
  NOT_FOUND: 'Not found',
  CONFLICT: 'That conflicts with existing data',
  INSUFFICIENT_STOCK: 'Not enough stock',
  ORDER_NOT_CANCELLABLE: 'The order can no longer be cancelled',
  INVALID_TRANSITION: 'That status change is not allowed from the current status',
  RATE_LIMITED: 'Too many requests: wait a moment and try again',
  LOGIN_RATE_LIMITED: 'Too many sign-in attempts: wait a moment and try again',
  PERSISTED_QUERY_NOT_IN_LIST: 'The gateway does not accept this operation (is it older than the dashboard?)',
  PERSISTED_QUERY_NOT_FOUND: 'The gateway does not know this operation (is it older than the dashboard?)',
  SUBGRAPH_UNAVAILABLE: 'A service behind the gateway is unavailable',
  INVALID_REFRESH_TOKEN: 'The session can no longer be renewed',
  REFRESH_TOKEN_REUSED: 'The session was ended because its refresh token was used twice',
  GRAPHQL_VALIDATION_FAILED: 'The gateway refused the operation as invalid',
  DEPTH_LIMIT_EXCEEDED: 'The operation is too deep for the gateway',
  COST_LIMIT_EXCEEDED: 'The operation is too expensive for the gateway',
  SERVICE_UNAVAILABLE: 'The gateway is not ready: try again in a moment',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server',
};

export function errorCodeOf(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors.find((e) => typeof e.extensions?.code === 'string')?.extensions.code;
  if (typeof code === 'string') return code;
  return error?.networkError ? 'NETWORK_ERROR' : undefined;
}

/** One sentence for an error: the code in words, the server's message where it adds something. */
export function describeError(error: CombinedError | undefined, words: Record<string, string> = {}): string {
  if (!error) return 'Unknown error';
  const first = error.graphQLErrors[0];
  if (!first) {
    return error.networkError ? 'Cannot reach the gateway: check that it is running, then try again' : error.message;
  }
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  const inWords = code ? (words[code] ?? WORDS[code]) : undefined;
  const requestId = typeof first.extensions?.requestId === 'string' ? ` (request ${first.extensions.requestId})` : '';
  if (!inWords) return `${first.message}${requestId}`;
  // Expected failures carry a message written for people ("Only 1 of 'Blue Mug' left"); show both.
  if (code === 'INTERNAL_SERVER_ERROR') return `${inWords}${requestId}`;
  return first.message === inWords ? inWords : `${inWords}: ${first.message}`;
}
