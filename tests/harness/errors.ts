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
