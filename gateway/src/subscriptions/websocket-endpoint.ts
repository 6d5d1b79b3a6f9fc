import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import { CloseCode as ProtocolCloseCode, handleProtocols, makeServer, type ExecutionResult } from 'graphql-ws';
import { decodeProtectedHeader } from 'jose';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Identity } from '#platform/auth';
import type { Logger } from '#platform/observability';
import { bearerToken, type TokenVerifier } from '../auth/token-verifier.js';
import type { GatewayContext } from '../context.js';
import { CloseCode } from './close-codes.js';
import { liveSockets, subscriptionStage } from './metrics.js';
import type { OperationPreparer, SubscribeRequest } from './operation-preparer.js';
import { SocketSession } from './socket-session.js';
import type { SubscriptionHub } from './subscription-hub.js';

export interface WebSocketEndpointOptions {
  httpServer: Server;
  /** The GraphQL path: HTTP POST and WebSocket upgrades share it. */
  path: string;
  maxPayloadBytes: number;
  keepAliveMs: number;
  queueLimit: number;
  verifier: TokenVerifier;
  /** Seconds past `exp` a token is still accepted (the same tolerance HTTP requests get). */
  clockToleranceSeconds: number;
  /** Signed-in sockets one user, and one tenant, may hold here; one more is closed with 4430 / 4431. */
  maxSocketsPerUser: number;
  maxSocketsPerTenant: number;
  preparer: OperationPreparer;
  hub: SubscriptionHub;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
}

/**
 * Keepalive pings go out in this many slices per interval, each socket in one slice: 10,000 sockets
 * pinged in one go stalled the gateway's event loop, and its clients' with their pongs, for hundreds
 * of milliseconds every interval (bench/subscriptions: a timer up to ~1 s late, results waiting behind it).
 */
const PING_SLICES = 20;

interface Extra {
  session: SocketSession;
}

interface RunContext {
  request: SubscribeRequest;
  identity: Identity;
  session: SocketSession;
}

/** The token of `connectionParams.authorization`: "Bearer <token>", or the bare token. */
function tokenOf(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  if (typeof value !== 'string') return null;
  return bearerToken(value) ?? (/^[A-Za-z0-9._~+/=-]+$/.test(value) ? value : null);
}

/** The `kid` in a token's header (the token was verified already). */
function keyIdOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/** Signed-in sockets grouped by one key (a user, a tenant, a session, a signing key). */
class SocketIndex {
  private readonly groups = new Map<string, Set<SocketSession>>();

  count(key: string): number {
    return this.groups.get(key)?.size ?? 0;
  }

  get(key: string): SocketSession[] {
    return [...(this.groups.get(key) ?? [])];
  }

  keys(): string[] {
    return [...this.groups.keys()];
  }

  add(key: string | undefined, session: SocketSession): void {
    if (key === undefined) return;
    const group = this.groups.get(key) ?? new Set();
    group.add(session);
    this.groups.set(key, group);
  }

  delete(key: string | undefined, session: SocketSession): void {
    if (key === undefined) return;
    const group = this.groups.get(key);
    group?.delete(session);
    if (group?.size === 0) this.groups.delete(key);
  }
}

/**
 * graphql-ws (`graphql-transport-ws`) on the gateway's HTTP server, at the GraphQL path. The token is
 * checked at connection_init (refused: 4401) and the socket is closed with 4401 when it expires; each
 * subscribe message is prepared (validated, planned, authorized as over HTTP) and joined to its topic.
 */
export class WebSocketEndpoint {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly pinger: NodeJS.Timeout;
  /** The sockets of each ping slice, and the next slice to ping and to join. */
  private readonly slices: Set<WebSocket>[] = Array.from({ length: PING_SLICES }, () => new Set());
  private nextPing = 0;
  private nextSlice = 0;
  private readonly protocol;
  private accepting = true;
  private readonly byUser = new SocketIndex();
  private readonly byTenant = new SocketIndex();
  private readonly bySession = new SocketIndex();
  private readonly byKey = new SocketIndex();

  constructor(private readonly options: WebSocketEndpointOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, handleProtocols, perMessageDeflate: false });
    this.protocol = makeServer<Record<string, unknown>, Extra>({
      connectionInitWaitTimeout: 5_000,
      onConnect: (ctx) => this.signIn(ctx.extra.session, ctx.connectionParams),
      onSubscribe: async (ctx, _id, payload) => {
        const { session } = ctx.extra;
        const identity = session.identity!;
        const context: GatewayContext = { requestId: randomUUID(), identity, authError: null, logger: this.options.logger };
        const prepared = await this.options.preparer.prepare(payload, context);
        if (Array.isArray(prepared)) return prepared as GraphQLError[];
        const request = prepared as SubscribeRequest;
        const run: RunContext = { request, identity, session };
        return {
          schema: request.target.state.apiSchema,
          document: request.target.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: run,
        } satisfies ExecutionArgs;
      },
      subscribe: async (args) => {
        const { request, identity, session } = args.contextValue as RunContext;
        try {
          return (await this.options.hub.subscribe(request, identity, session)) as unknown as AsyncIterable<ExecutionResult>;
        } catch (error) {
          this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'subscription refused: events unavailable');
          return { errors: [new GraphQLError('Live updates are unavailable right now; try again.', { extensions: { code: 'SERVICE_UNAVAILABLE' } })] };
        }
      },
      // results are formatted once per topic and event (errors included), not once per socket
      onNext: (_ctx, _id, _payload, _args, result) => result as never,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => this.options.formatError(e.toJSON(), e)),
    });
    options.httpServer.on('upgrade', this.onUpgrade);
    this.pinger = setInterval(() => this.ping(), options.keepAliveMs / PING_SLICES);
    this.pinger.unref();
  }

  /** Open sockets (signed in or not). */
  get socketCount(): number {
    return this.sessions.size;
  }

  /** Closes every socket of the session with 4440 (logout, a reused refresh token); returns how many. */
  endSession(sessionId: string): number {
    const sockets = this.bySession.get(sessionId);
    for (const session of sockets) session.close(CloseCode.SessionEnded, 'Session ended: sign in again', 'session_ended');
    return sockets.length;
  }

  /** Closes with 4441 every socket whose token was signed by a key not in `current`; returns how many. */
  keepKeys(current: ReadonlySet<string>): number {
    let closed = 0;
    for (const keyId of this.byKey.keys()) {
      if (current.has(keyId)) continue;
      for (const session of this.byKey.get(keyId)) {
        session.close(CloseCode.KeyRetired, 'Signing key retired: refresh the token, then reconnect', 'key_retired');
        closed += 1;
      }
    }
    return closed;
  }

  /** Refuses new sockets from now on (503 to the upgrade request). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Every socket has written out everything handed to it. */
  get idle(): boolean {
    for (const session of this.sessions.values()) if (!session.closing && !session.idle) return false;
    return true;
  }

  /** Closes every socket with `code`, waits for them to go (at most `waitMs`, then cuts them), stops the server. */
  async close(code: number, reason: string, waitMs: number): Promise<void> {
    this.accepting = false;
    clearInterval(this.pinger);
    this.options.httpServer.off('upgrade', this.onUpgrade);
    const sockets = [...this.sessions.keys()];
    for (const session of this.sessions.values()) session.close(code, reason, 'shutdown');
    const gone = Promise.all(sockets.map((socket) => (socket.readyState === socket.CLOSED ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== this.options.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!this.accepting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
  };

  private onConnection(ws: WebSocket): void {
    const session = new SocketSession(ws, this.options.queueLimit);
    this.sessions.set(ws, session);
    this.alive.add(ws);
    const slice = this.slices[this.nextSlice]!;
    this.nextSlice = (this.nextSlice + 1) % PING_SLICES;
    slice.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('error', (error) => this.options.logger.debug({ err: error.message }, 'websocket error'));
    const closed = this.protocol.opened(
      {
        protocol: ws.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (ws.readyState !== ws.OPEN) return resolve();
            // resolves once written to the socket: graphql-ws then asks for the next result
            const started = performance.now();
            ws.send(data, () => {
              subscriptionStage.observe({ stage: 'socket_write' }, (performance.now() - started) / 1_000);
              resolve();
            });
          }),
        close: (code, reason) => session.close(code ?? 1000, reason ?? '', `protocol_${code}`),
        onMessage: (handle) =>
          ws.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'graphql-ws message failed');
              session.close(ProtocolCloseCode.InternalServerError, 'Internal server error', 'internal');
            });
          }),
      },
      { session },
    );
    ws.once('close', (code, reason) => {
      session.dispose();
      this.sessions.delete(ws);
      slice.delete(ws);
      if (session.identity) {
        liveSockets.dec();
        this.unindex(session);
      }
      void closed(code, reason.toString());
    });
  }

  private async signIn(session: SocketSession, params: Readonly<Record<string, unknown>> | undefined): Promise<boolean> {
    const token = tokenOf(params);
    if (!token) {
      session.close(CloseCode.Unauthorized, 'Unauthorized: send connectionParams.authorization = "Bearer <token>"', 'unauthorized');
      return false;
    }
    let result;
    try {
      result = await this.options.verifier.verify(token);
    } catch (error) {
      this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'token verification failed');
      session.close(ProtocolCloseCode.InternalServerError, 'Could not check the token; try again', 'internal');
      return false;
    }
    if (!result.ok) {
      session.close(CloseCode.Unauthorized, `Unauthorized: ${result.reason}`, 'unauthorized');
      return false;
    }
    if (session.closing) return false;
    const { identity } = result;
    const user = `${identity.tenantId}:${identity.userId}`;
    if (this.byUser.count(user) >= this.options.maxSocketsPerUser) {
      session.close(CloseCode.TooManySocketsForUser, `Too many sockets: at most ${this.options.maxSocketsPerUser} per user`, 'user_socket_limit');
      return false;
    }
    if (this.byTenant.count(identity.tenantId) >= this.options.maxSocketsPerTenant) {
      session.close(CloseCode.TooManySocketsForTenant, `Too many sockets: at most ${this.options.maxSocketsPerTenant} per tenant`, 'tenant_socket_limit');
      return false;
    }
    liveSockets.inc();
    session.signIn(identity, (result.expiresAt + this.options.clockToleranceSeconds) * 1_000, keyIdOf(token));
    this.byUser.add(user, session);
    this.byTenant.add(identity.tenantId, session);
    this.bySession.add(identity.sessionId, session);
    this.byKey.add(session.keyId, session);
    return !session.closing;
  }

  private unindex(session: SocketSession): void {
    const identity = session.identity!;
    this.byUser.delete(`${identity.tenantId}:${identity.userId}`, session);
    this.byTenant.delete(identity.tenantId, session);
    this.bySession.delete(identity.sessionId, session);
    this.byKey.delete(session.keyId, session);
  }

  /** One timer for every socket, one slice a tick: a socket that did not answer its previous ping is cut. */
  private ping(): void {
    const slice = this.slices[this.nextPing]!;
    this.nextPing = (this.nextPing + 1) % PING_SLICES;
    for (const ws of slice) {
      const session = this.sessions.get(ws);
      if (!session) continue;
      if (!this.alive.has(ws)) {
        session.terminate('keepalive_timeout');
        continue;
      }
      this.alive.delete(ws);
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  }
}
