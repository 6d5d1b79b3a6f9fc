import { Client, fetchExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { graphqlHttpUrl, graphqlWsUrl } from './endpoint';
import { Session } from './session';
import { trustedEntryOf } from './trusted';

export type SocketState = 'idle' | 'connecting' | 'connected' | 'closed';

export interface Api {
  client: Client;
  session: Session;
  socket: {
    readonly state: SocketState;
    /** The access token the socket authenticated with last. */
    readonly token: string | undefined;
    subscribe(listener: () => void): () => void;
  };
}

/**
 * Operations go over HTTP as persisted queries: the manifest id only, never the text, so the
 * dashboard runs unchanged where the gateway accepts trusted documents only. POST, not GET: a GET
 * needs a CSRF preflight header, and the id-only body is small anyway.
 */
function trustedDocuments(): Exchange {
  return persistedExchange({
    preferGetForPersistedQueries: false,
    enableForMutation: true,
    generateHash: async (_query, document) => trustedEntryOf(document)?.hash,
  });
}

export function createApi(): Api {
  const url = graphqlHttpUrl();
  // Sign-in and refresh must never carry an access token (an expired one would be refused first).
  const anonymous = new Client({ url, exchanges: [trustedDocuments(), fetchExchange], requestPolicy: 'network-only' });
  const session = new Session(anonymous);

  let socketState: SocketState = 'idle';
  const socketListeners = new Set<() => void>();
  const setSocketState = (state: SocketState) => {
    socketState = state;
    for (const listener of socketListeners) listener();
  };

  // One socket per signed-in user, opened on the first subscription, closed at sign-out.
  let ws: WsClient | null = null;
  let wsUser: string | null = null;
  let wsToken: string | undefined;
  const userOf = () => (session.current ? `${session.current.tenant}/${session.current.user.id}` : null);
  const closeSocket = () => {
    ws?.dispose();
    ws = null;
    wsUser = null;
    setSocketState('idle');
  };
  const socket = (): WsClient => {
    if (ws && wsUser === userOf()) return ws;
    closeSocket();
    wsUser = userOf();
    ws = createWsClient({
      url: graphqlWsUrl(),
      // Called at every (re)connect: the socket always starts with the token held at that moment.
      connectionParams: async () => {
        wsToken = await session.freshToken();
        return { authorization: `Bearer ${wsToken ?? ''}` };
      },
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      on: {
        connecting: () => setSocketState('connecting'),
        connected: () => setSocketState('connected'),
        closed: () => setSocketState('closed'),
      },
    });
    return ws;
  };
  session.subscribe(() => {
    if (!session.current) closeSocket();
  });

  const client = new Client({
    url,
    requestPolicy: 'network-only',
    exchanges: [
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = session.current?.token;
          return token ? utils.appendHeaders(operation, { authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError: () => session.expiresWithin(15_000),
        didAuthError: (error) => error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'),
        async refreshAuth() {
          await session.refresh();
        },
      })),
      trustedDocuments(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request, operation) => ({
          subscribe: (sink) => {
            // Over the socket the exact manifest text is sent (graphql-ws has no persisted queries).
            const query = trustedEntryOf(operation.query)?.body ?? request.query ?? '';
            const unsubscribe = socket().subscribe({ ...request, query }, sink);
            return { unsubscribe };
          },
        }),
      }),
    ],
  });

  return {
    client,
    session,
    socket: {
      get state() {
        return socketState;
      },
      get token() {
        return wsToken;
      },
      subscribe(listener) {
        socketListeners.add(listener);
        return () => socketListeners.delete(listener);
      },
    },
  };
}
