import type { AnyVariables, CombinedError, TypedDocumentNode } from '@urql/core';
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { describeError, errorCodeOf } from './errors';
import { useApi } from './context';

export type LiveStatus = { state: 'connecting' } | { state: 'live' } | { state: 'reconnecting'; reason: string } | { state: 'failed'; reason: string; code?: string };

/** graphql-ws close codes the gateway uses (docs/subscriptions.md). */
const UNAUTHORIZED = 4401;
/** Refusals a retry cannot fix: the admin lacks the right, or the operation itself is refused. */
const FINAL_CODES = new Set(['FORBIDDEN', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'PERSISTED_QUERY_NOT_IN_LIST']);
const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];

function closeCodeOf(error: CombinedError): number | undefined {
  const code = (error.networkError as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * A subscription that stays up: when the socket drops or the gateway ends the subscription, it
 * subscribes again (refreshing the session first when the token was refused). `onLive` runs each
 * time it is up again, including the first: the caller re-reads what it shows, since nothing that
 * happened while it was not subscribed is replayed.
 */
export function useLiveSubscription<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  handlers: { onData(data: Data): void; onLive?(): void },
  options: { pause?: boolean } = {},
): LiveStatus {
  const client = useClient();
  const { session, socket } = useApi();
  const [status, setStatus] = useState<LiveStatus>({ state: 'connecting' });
  const latest = useRef(handlers);
  latest.current = handlers;
  const key = JSON.stringify(variables);

  useEffect(() => {
    if (options.pause) return undefined;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: { unsubscribe(): void } | undefined;
    let live = false;
    const becameLive = () => {
      if (live) return;
      live = true;
      setStatus({ state: 'live' });
      latest.current.onLive?.();
    };
    // "live" only while the socket is up; a drop shows at once. graphql-ws reconnects by itself and
    // resubscribes; a refused token or an ended subscription comes back through onError/onEnd.
    const offSocket = socket.subscribe(() => {
      if (stopped || !current) return;
      if (socket.state === 'connected') becameLive();
      else if (socket.state === 'closed' && live) {
        live = false;
        setStatus({ state: 'reconnecting', reason: 'Connection lost' });
      }
    });

    const retry = (reason: string) => {
      live = false;
      current = undefined;
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
      attempt += 1;
      setStatus({ state: 'reconnecting', reason });
      timer = setTimeout(start, delay);
    };

    const onError = async (error: CombinedError) => {
      const code = errorCodeOf(error);
      live = false;
      current = undefined;
      if (code && FINAL_CODES.has(code)) {
        setStatus({ state: 'failed', reason: describeError(error), code });
        return;
      }
      if (closeCodeOf(error) === UNAUTHORIZED || code === 'UNAUTHENTICATED') {
        // The socket's token expired or was refused. When the session has renewed it since, the
        // next connect sends the new one; else renew it now (a refusal then ends the session).
        if (socket.token === session.current?.token && !(await session.refresh())) return;
      }
      if (!stopped) retry(describeError(error));
    };

    function start() {
      if (stopped) return;
      let failed = false;
      current = pipe(
        client.subscription(document, variables),
        onEnd(() => {
          // The gateway completed the subscription (a schema change, a shutdown): subscribe again.
          if (!stopped && !failed) retry('The gateway ended the subscription');
        }),
        subscribe((result) => {
          if (stopped) return;
          if (result.error) {
            failed = true;
            void onError(result.error);
            return;
          }
          if (result.data) {
            attempt = 0;
            latest.current.onData(result.data);
          }
        }),
      );
      // On a socket that is already up the subscription runs at once; else at `connected`.
      if (socket.state === 'connected') becameLive();
    }

    start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      offSocket();
      current?.unsubscribe();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- variables are compared by value (key)
  }, [client, document, key, options.pause]);

  return status;
}
