// Typed errors with stable codes, the one place they become what a client sees, and input checks.
export {
  ConflictError, DomainError, ERROR_HTTP_STATUS, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, formatError, isExpectedError, type ErrorCode,
} from './errors.js';
export { isCurrency, isId, requireId, requireInt, requireMoney, requireText } from './validation.js';
export { badString, checkOperationInputs, MAX_LINE_LENGTH, MAX_TEXT_LENGTH } from './input-hygiene.js';
