import { DomainError, UnauthenticatedError } from '#platform/errors';

/** One message for every failed login, so that nobody learns which tenants or emails exist. */
export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('The tenant, email or password is not right.');
  }
}

/** Unknown, expired, revoked or malformed: one code and message, so probing learns nothing. */
export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'The refresh token is not valid. Sign in again.');
  }
}

/**
 * A spent refresh token came back: someone holds a copy. The whole session is ended; `sessionId`
 * lets the gateway refuse the session's access tokens too (it is no secret: every access token of
 * the session carries it in clear).
 */
export class RefreshTokenReusedError extends DomainError {
  constructor(sessionId: string) {
    super('REFRESH_TOKEN_REUSED', 'This refresh token was already used, so the session was ended. Sign in again.', { sessionId });
  }
}
