import { AuthService } from './auth.service.js';
import type { TokenService } from './token.service.js';
import { UserService } from './user.service.js';

/** Accounts' services, made once per process; every method takes the request context first. */
export function createAccountsServices(tokens: TokenService, refreshTtlSeconds: number) {
  return { auth: new AuthService(tokens, refreshTtlSeconds), users: new UserService() };
}

export type AccountsServices = ReturnType<typeof createAccountsServices>;
