import type { DocumentNode } from 'graphql';

/** The trusted-documents manifest entry codegen attaches to each operation (dashboard/codegen.ts). */
export interface TrustedEntry {
  /** The manifest id: SHA-256 of the body, sent as a persisted query over HTTP. */
  hash: string;
  /** The operation as the manifest prints it, sent as is over graphql-ws. */
  body: string;
}

export function trustedEntryOf(document: DocumentNode): TrustedEntry | undefined {
  return (document as DocumentNode & { __meta__?: TrustedEntry }).__meta__;
}
