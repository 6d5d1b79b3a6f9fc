/**
 * A unique index refused a write: the storage's own error (Prisma's P2002, PostgreSQL's 23505)
 * turned into something a service can act on without knowing the storage.
 */
export class UniqueViolation extends Error {
  override readonly name = 'UniqueViolation';
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint} refused the write`);
  }
}

/**
 * Repositories pass what their database client threw through this: storage codes end here. Prisma's
 * client wraps a driver's refusal (P2002); a raw statement sent straight to the driver adapter
 * (DriverSql) throws the adapter's own `DriverAdapterError`, its cause naming the kind.
 */
export function storageError(error: unknown): unknown {
  const { code, meta, cause } = (error ?? {}) as {
    code?: unknown;
    meta?: { target?: unknown; modelName?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } };
    cause?: { kind?: unknown; constraint?: { fields?: unknown; index?: unknown } };
  };
  if (code !== 'P2002' && code !== '23505' && cause?.kind !== 'UniqueConstraintViolation') return error;
  const target = meta?.target ?? meta?.driverAdapterError?.cause?.constraint?.fields ?? cause?.constraint?.fields ?? cause?.constraint?.index;
  return new UniqueViolation(Array.isArray(target) ? target.join(',') : String(target ?? 'unknown'));
}
