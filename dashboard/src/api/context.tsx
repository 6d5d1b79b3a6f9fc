import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { Provider } from 'urql';
import type { Api } from './client';
import type { SessionState } from './session';

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return (
    <ApiContext.Provider value={api}>
      <Provider value={api.client}>{children}</Provider>
    </ApiContext.Provider>
  );
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

export function useSession(): SessionState | null {
  const { session } = useApi();
  return useSyncExternalStore(session.subscribe, () => session.current);
}
