/**
 * How the gateway ends sockets and subscriptions, beyond graphql-ws's own close codes (4400 bad
 * request, 4403 forbidden, 4406 subprotocol, 4408 init timeout, 4409 duplicate id, 4429 second
 * init, 4500 internal error). Clients key their reconnect logic on these; docs/subscriptions.md
 * lists them.
 */
export const CloseCode = {
  /** No token, or a token the gateway refused, at connection_init; or the token expired while connected. Sign in, then reconnect. */
  Unauthorized: 4401,
  /** The socket fell behind even after its queued events were coalesced per entity. Reconnect and refetch. */
  SlowConsumer: 4008,
  /** The user already holds SUBSCRIPTION_MAX_SOCKETS_PER_USER sockets on this gateway. Close one, or share one socket between subscriptions. */
  TooManySocketsForUser: 4430,
  /** The tenant already holds SUBSCRIPTION_MAX_SOCKETS_PER_TENANT sockets on this gateway. Retry later (with back-off). */
  TooManySocketsForTenant: 4431,
  /** The token's session ended (logout, or a reused refresh token): sign in again. Do not reconnect with the same token. */
  SessionEnded: 4440,
  /** The key that signed the token was retired from the accounts JWKS: refresh (or sign in) for a token signed with the current key, then reconnect. */
  KeyRetired: 4441,
  /** The gateway is shutting down (the standard "going away"): reconnect, another replica will take the socket. */
  GoingAway: 1001,
} as const;

/** `extensions.code` of the last message of a subscription a schema change ended; the client resubscribes. */
export const SCHEMA_RELOAD_CODE = 'SUBSCRIPTION_SCHEMA_RELOAD';

/** `extensions.code` of an event the gateway could not load because a subgraph stayed unreachable. */
export const SUBGRAPH_UNAVAILABLE_CODE = 'SUBGRAPH_UNAVAILABLE';
