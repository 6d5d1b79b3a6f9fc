import { ValidationError } from '../../../kernel/src/errors.js';
import type { AccountsClient } from '../db.js';
import { InvalidCredentialsError } from '../errors.js';
import type { User } from '../generated/prisma/client.js';
import { TenantRepository } from '../repositories/tenant.repository.js';
import { UserRepository } from '../repositories/user.repository.js';
import { verifyPassword } from './password-hasher.js';
import type { IssuedToken, TokenService } from './token.service.js';

export interface LoginInput {
  tenant: string;
  email: string;
  password: string;
}

/** Sign-in. The one service that runs without a caller: the tenant comes from the login itself. */
export class AuthService {
  constructor(
    private readonly db: AccountsClient,
    private readonly tokens: TokenService,
  ) {}

  async login(input: LoginInput): Promise<IssuedToken & { user: User }> {
    const slug = input.tenant.trim().toLowerCase();
    const email = input.email.trim().toLowerCase();
    if (!slug) throw new ValidationError('tenant', 'tenant must not be empty.');
    if (!email) throw new ValidationError('email', 'email must not be empty.');
    if (!input.password) throw new ValidationError('password', 'password must not be empty.');
    if (input.password.length > 1024) throw new ValidationError('password', 'password is too long.');

    const tenant = await new TenantRepository(this.db).findBySlug(slug);
    const user = tenant ? await new UserRepository(this.db, tenant.id).findByEmail(email) : null;
    // Always one scrypt run, whether or not the account exists.
    const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
    if (!user || !ok) throw new InvalidCredentialsError();
    return { ...(await this.tokens.issue(user)), user };
  }
}
