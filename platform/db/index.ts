// Where a subgraph's data lives (embedded PGlite or PostgreSQL), Prisma driver adapters, the migrator.
export { createAdapterFactory, migrationTargetOf, openEmbeddedPglite, preparedStatementNames, PRISMA_CLIENT_OPTIONS, StatementCounter, type DatabaseTarget } from './database.js';
export { applyMigrations, migrationStatus, PRISMA_ADVISORY_LOCK_KEY, splitSqlStatements, type MigrationTarget } from './migrator.js';
export { storageError, UniqueViolation } from './storage-errors.js';
export { DriverSql, type RawSqlClient } from './driver-sql.js';
