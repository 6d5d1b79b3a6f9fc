import { UnauthenticatedError } from '../../kernel/src/errors.js';

/** One message for every failed login, so that nobody learns which tenants or emails exist. */
export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('The tenant, email or password is not right.');
  }
}
