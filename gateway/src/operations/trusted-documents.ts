import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import type { EdgeConfig } from '../edge-config.js';
import type { StringCache } from '../edge-store/edge-store.js';

/** Trusted documents by id (the SHA-256 of the body, as automatic persisted queries hash it). */
export type TrustedDocuments = ReadonlyMap<string, string>;

/**
 * Reads schema/trusted-documents.json (written by `npm run trusted-documents` from
 * schema/operations/). Every id is checked against its body, so an edited manifest cannot smuggle
 * a document in under another's id. Enforcing without a manifest is a configuration error.
 */
export function loadTrustedDocuments(config: EdgeConfig['trustedDocuments']): TrustedDocuments {
  if (!existsSync(config.manifestPath)) {
    if (config.mode === 'enforce') throw new Error(`TRUSTED_DOCUMENTS=enforce needs the manifest ${config.manifestPath} (npm run trusted-documents)`);
    return new Map();
  }
  const manifest = JSON.parse(readFileSync(config.manifestPath, 'utf8')) as { format?: string; operations?: { id: string; body: string }[] };
  if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations)) {
    throw new Error(`${config.manifestPath} is not a persisted query manifest`);
  }
  const documents = new Map<string, string>();
  for (const { id, body } of manifest.operations) {
    if (createHash('sha256').update(body).digest('hex') !== id) throw new Error(`${config.manifestPath}: operation ${id} does not hash to its id`);
    documents.set(id, body);
  }
  return documents;
}

/** The names of the operations in the trusted documents: the gateway's known operations (metrics labels). */
export function operationNamesOf(documents: TrustedDocuments): Set<string> {
  const names = new Set<string>();
  for (const body of documents.values()) {
    for (const definition of parse(body).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
  }
  return names;
}

/** Apollo keeps persisted queries under this prefix in the cache it is given. */
const APQ_PREFIX = 'apq:';

/**
 * The cache behind Apollo's persisted queries: trusted documents are always found by id; with
 * TRUSTED_DOCUMENTS=off clients may also register their own (automatic persisted queries, kept in
 * the edge store, so shared by replicas through Redis); when enforcing, nothing is registered.
 */
export function persistedQueryCache(documents: TrustedDocuments, registered: StringCache, mode: EdgeConfig['trustedDocuments']['mode']): StringCache {
  const idOf = (key: string) => (key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key);
  return {
    async get(key) {
      return documents.get(idOf(key)) ?? (mode === 'off' ? registered.get(key) : undefined);
    },
    async set(key, value, options) {
      if (mode === 'off' && !documents.has(idOf(key))) await registered.set(key, value, options);
    },
    async delete(key) {
      return mode === 'off' ? registered.delete(key) : false;
    },
  };
}
