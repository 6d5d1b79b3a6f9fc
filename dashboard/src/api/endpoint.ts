// The gateway serves the dashboard and GraphiQL on the origin of its GraphQL endpoint; the Vite dev
// server proxies the same path. So the endpoint is always this origin's /graphql, for HTTP and sockets.
export function graphqlHttpUrl(): string {
  return new URL('/graphql', window.location.href).href;
}

export function graphqlWsUrl(): string {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
