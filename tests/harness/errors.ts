import { expect } from 'vitest';
import { DomainError } from '#platform/errors';

/** The DomainError a call throws, for assertions on its code and field. */
export function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected an error');
}

export interface Refusal {
  message: string;
  code: string;
  [extension: string]: unknown;
}

/**
 * What a refused service call tells its client: the message and the extensions (code, field, …).
 * A call that succeeds fails the test; an error that is not a DomainError (a client would see
 * INTERNAL_SERVER_ERROR) comes back with a code saying so, so the assertion shows what leaked.
 */
export async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a refusal, but the call returned ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (reason: unknown) => reason,
  );
  if (error instanceof DomainError) return { message: error.message, ...(error.extensions as { code: string }) };
  return { message: String((error as Error)?.message ?? error), code: `not a DomainError: ${(error as Error)?.name ?? typeof error}` };
}
