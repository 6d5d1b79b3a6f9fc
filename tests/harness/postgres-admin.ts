import pg from 'pg';

/** The machine's PostgreSQL, as the superuser, for creating and dropping a suite's own databases. */
export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on its own connection (CREATE/DROP DATABASE cannot run in a transaction). */
export async function admin(sql: string): Promise<void> {
  const connection = new pg.Client({ connectionString: ADMIN_URL });
  await connection.connect();
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
