import { ValidationError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs: anything else cannot name a record, so it is bad input rather than a miss. */
export function requireId(value: string, field: string): string {
  if (!UUID.test(value)) throw new ValidationError(field, `${field} is not a valid id.`);
  return value.toLowerCase();
}

export function isId(value: string): boolean {
  return UUID.test(value);
}

export function requireText(value: string | null | undefined, field: string, options: { max: number; min?: number }): string {
  const text = (value ?? '').trim();
  if (text.length < (options.min ?? 1)) throw new ValidationError(field, `${field} must not be empty.`);
  if (text.length > options.max) throw new ValidationError(field, `${field} must be at most ${options.max} characters.`);
  // PostgreSQL text cannot hold NUL: refuse it as input instead of failing in the database.
  if (text.includes('\u0000')) throw new ValidationError(field, `${field} must not contain NUL characters.`);
  return text;
}

export function requireInt(value: number, field: string, range: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ValidationError(field, `${field} must be a whole number from ${range.min} to ${range.max}.`);
  }
  return value;
}

/** The ISO 4217 codes (as the runtime's ICU knows them): `ZZZ` and `XXY` are not money. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** Money is an integer amount of minor units plus an ISO 4217 code; never a float. */
export function requireMoney(money: { amount: number; currency: string }, field: string): { amount: number; currency: string } {
  if (!Number.isInteger(money.amount) || money.amount < 0 || money.amount > 1_000_000_000) {
    throw new ValidationError(`${field}.amount`, `${field}.amount must be a whole number of minor units from 0 to 1000000000.`);
  }
  if (!/^[A-Z]{3}$/.test(money.currency) || !isCurrency(money.currency)) {
    throw new ValidationError(`${field}.currency`, `${field}.currency must be a three-letter ISO 4217 code such as USD.`);
  }
  return { amount: money.amount, currency: money.currency };
}
