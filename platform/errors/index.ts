// Typed errors with stable codes, the one place they become what a client sees, and input checks.
export {
  ConflictError, DomainError, ERROR_HTTP_STATUS, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, formatError, type ErrorCode,
} from './errors.js';
export { isId, requireId, requireInt, requireMoney, requireText } from './validation.js';
