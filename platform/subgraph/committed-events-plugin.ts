import type { ApolloServerPlugin } from '@apollo/server';
import { COMMITTED_EVENTS_EXTENSION } from '../events/event.js';
import type { RequestContext } from './request-context.js';

/**
 * Puts the events of `types` that the request committed on its response, so the gateway acts on
 * them before it answers the client (the bus brings the same events to every other gateway).
 * Subgraphs answer only the gateway, so clients never see the extension.
 */
export function committedEventsPlugin(types: string[]): ApolloServerPlugin<RequestContext> {
  const wanted = new Set(types);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const events = contextValue.committedEvents.filter((event) => wanted.has(event.type));
          if (events.length === 0) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [COMMITTED_EVENTS_EXTENSION]: events };
        },
      };
    },
  };
}
