import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export type Role = 'CUSTOMER' | 'ADMIN';

/** Who is calling: set by the gateway after it verified the caller's token. */
export interface Identity {
  userId: string;
  tenantId: string;
  role: Role;
  /** The sign-in session (refresh-token family) the access token belongs to; logout ends it. */
  sessionId?: string;
}

/**
 * Headers the gateway sends every subgraph request besides its credential. Identity travels only
 * inside the signed credential (auth/gateway-credential.ts), never in headers a caller could set.
 */
export const IDENTITY_HEADERS = {
  requestId: 'x-request-id',
} as const;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Keeps a caller-provided request id when it looks sane, so one id follows a request everywhere. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = header(headers, IDENTITY_HEADERS.requestId);
  return given && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}
