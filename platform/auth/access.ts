import { ForbiddenError, UnauthenticatedError } from '../errors/errors.js';
import type { Identity, Role } from './identity.js';

/** The caller, or UNAUTHENTICATED. Tenant scoping always starts here, never from arguments. */
export function requireIdentity(identity: Identity | null): Identity {
  if (!identity) throw new UnauthenticatedError();
  return identity;
}

export function requireRole(identity: Identity | null, role: Role): Identity {
  const caller = requireIdentity(identity);
  if (caller.role !== role) throw new ForbiddenError(`Only ${role.toLowerCase()}s may do this.`);
  return caller;
}

/** Row-level rule for a customer's records (orders, payments, shipments): their own, or any of the tenant for admins. */
export function canSeeCustomerRecord(caller: Identity, record: { customerId: string }): boolean {
  return caller.role === 'ADMIN' || record.customerId === caller.userId;
}
