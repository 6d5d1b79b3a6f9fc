import type { TestProject } from 'vitest/node';
import { buildDatabaseImage } from './database-image.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseImage: string;
  }
}

/** Builds (or finds) the shared database image once per run; every test database starts from it. */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('databaseImage', await buildDatabaseImage());
}
