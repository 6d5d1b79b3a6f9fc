import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../subgraphs/accounts/src/services/password-hasher.js';

describe('password hashing', () => {
  it('verifies the password it hashed', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('stores the scheme and its parameters with a salt, never the password', async () => {
    const stored = await hashPassword('demo-password');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect(scheme).toBe('scrypt');
    expect(Number(n)).toBeGreaterThanOrEqual(2 ** 14);
    expect(Number(r)).toBeGreaterThan(0);
    expect(Number(p)).toBeGreaterThan(0);
    expect(Buffer.from(salt!, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(hash!, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(stored).not.toContain('demo-password');
  });

  it('refuses a wrong password', async () => {
    const stored = await hashPassword('demo-password');
    expect(await verifyPassword('demo-passwort', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    expect(await verifyPassword('DEMO-PASSWORD', stored)).toBe(false);
  });

  it('refuses every password for an unknown user (no stored hash)', async () => {
    expect(await verifyPassword('demo-password', null)).toBe(false);
    expect(await verifyPassword('', null)).toBe(false);
  });

  it('gives two hashes of the same password different salts and hashes, both verifying', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('refuses a stored value in an unknown or broken format instead of throwing', async () => {
    expect(await verifyPassword('demo-password', 'plain-text')).toBe(false);
    expect(await verifyPassword('demo-password', 'bcrypt$10$abc$def')).toBe(false);
    expect(await verifyPassword('demo-password', 'scrypt$32768$8$1$$')).toBe(false);
  });

  it('verifies a hash made with other scrypt parameters, so parameters can be raised later', async () => {
    const stored = await hashPassword('demo-password');
    const [, , , , salt] = stored.split('$');
    const { scryptSync } = await import('node:crypto');
    const weaker = scryptSync('demo-password', Buffer.from(salt!, 'base64url'), 32, { N: 2 ** 12, r: 8, p: 1 });
    const old = ['scrypt', 2 ** 12, 8, 1, salt, weaker.toString('base64url')].join('$');
    expect(await verifyPassword('demo-password', old)).toBe(true);
    expect(await verifyPassword('other', old)).toBe(false);
  });
});
