import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '#platform/config';

/** The client contract's documents, exactly as the storefront and dashboard teams send them. */
export const contract = {
  storefront: readFileSync(resolve(REPO_ROOT, 'schema/operations/contract/storefront.graphql'), 'utf8'),
  dashboard: readFileSync(resolve(REPO_ROOT, 'schema/operations/contract/dashboard.graphql'), 'utf8'),
};
