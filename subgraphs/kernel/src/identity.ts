import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export type Role = 'CUSTOMER' | 'ADMIN';

/** Who is calling: set by the gateway after it verified the caller's token. */
export interface Identity {
  userId: string;
  tenantId: string;
  role: Role;
}

/** Headers the gateway sends every subgraph request; nothing else carries identity downstream. */
export const IDENTITY_HEADERS = {
  userId: 'x-user-id',
  tenantId: 'x-tenant-id',
  role: 'x-user-role',
  requestId: 'x-request-id',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function identityFromHeaders(headers: IncomingHttpHeaders): Identity | null {
  const userId = header(headers, IDENTITY_HEADERS.userId);
  const tenantId = header(headers, IDENTITY_HEADERS.tenantId);
  const role = header(headers, IDENTITY_HEADERS.role);
  if (!userId || !tenantId || !UUID.test(userId) || !UUID.test(tenantId)) return null;
  if (role !== 'CUSTOMER' && role !== 'ADMIN') return null;
  return { userId, tenantId, role };
}

export function identityToHeaders(identity: Identity): Record<string, string> {
  return {
    [IDENTITY_HEADERS.userId]: identity.userId,
    [IDENTITY_HEADERS.tenantId]: identity.tenantId,
    [IDENTITY_HEADERS.role]: identity.role,
  };
}

/** Keeps a caller-provided request id when it looks sane, so one id follows a request everywhere. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = header(headers, IDENTITY_HEADERS.requestId);
  return given && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}
