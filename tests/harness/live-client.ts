import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** One `next` payload as the client received it. */
export interface LiveResult {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Waits for a condition, with a generous deadline that only turns a hang into a readable failure. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One subscription: every result it received, and how it ended. */
export class LiveSubscription {
  readonly results: LiveResult[] = [];
  /** Set when the subscription ended with an `error` message (errors) or the socket closed (close info). */
  failure: unknown;
  completed = false;
  readonly dispose: () => void;

  constructor(client: Client, payload: { query: string; variables?: Record<string, unknown>; operationName?: string }) {
    this.dispose = client.subscribe<Record<string, any>, Record<string, any>>(payload, {
      next: (result) => void this.results.push(result as LiveResult),
      error: (error) => {
        this.failure = error;
      },
      complete: () => {
        this.completed = true;
      },
    });
  }

  /** The first result (received or still to come) that satisfies `match`. */
  waitFor(what: string, match: (result: LiveResult) => boolean, deadlineMs?: number): Promise<LiveResult> {
    return eventually(what, () => this.results.find(match), deadlineMs);
  }

  /** The GraphQL errors of an `error` message, when the subscription was refused. */
  async refusal(): Promise<{ message: string; extensions?: Record<string, any> }[]> {
    return eventually('the subscription to be refused', () => (Array.isArray(this.failure) ? (this.failure as { message: string }[]) : undefined));
  }
}

/** A graphql-ws client over a real WebSocket, as a dashboard or storefront opens one. */
export class LiveClient {
  /** The WebSockets the client opened (it opens one; kept to stall it in slow-consumer tests). */
  readonly sockets: WebSocket[] = [];
  readonly closed: Promise<CloseInfo>;
  private closeInfo: CloseInfo | undefined;

  private constructor(
    readonly client: Client,
    closed: Promise<CloseInfo>,
  ) {
    this.closed = closed.then((info) => (this.closeInfo = info));
  }

  /** Connects with `token` in connectionParams.authorization (none when null); resolves once acknowledged or closed. */
  static async connect(httpUrl: string, token: string | null, connectionParams?: Record<string, unknown>): Promise<LiveClient> {
    const url = httpUrl.replace(/^http/, 'ws');
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    let settle!: (connected: boolean) => void;
    const ready = new Promise<boolean>((resolve) => (settle = resolve));
    let closedWith!: (info: CloseInfo) => void;
    const closed = new Promise<CloseInfo>((resolve) => (closedWith = resolve));
    const client = createClient({
      url,
      webSocketImpl: TrackedWebSocket,
      connectionParams: connectionParams ?? (token ? { authorization: `Bearer ${token}` } : {}),
      lazy: false,
      retryAttempts: 0,
      shouldRetry: () => false,
      onNonLazyError: () => undefined,
      on: {
        connected: () => settle(true),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string | Buffer };
          closedWith({ code, reason: String(reason) });
          settle(false);
        },
      },
    });
    const live = new LiveClient(client, closed);
    await ready;
    live.sockets.push(...sockets);
    return live;
  }

  get closeCode(): number | undefined {
    return this.closeInfo?.code;
  }

  subscribe(query: string, variables: Record<string, unknown> = {}, operationName?: string): LiveSubscription {
    return new LiveSubscription(this.client, { query, variables, operationName });
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}
