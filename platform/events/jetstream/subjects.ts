import type { EventEnvelope } from '../event.js';

// Where things live in NATS: events at `<prefix>.<tenant>.<type>`, dead letters at
// `<dead-letter prefix>.<consumer>.<type>`, and the checks that keep names usable there.

const TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** A subject token: anything but letters, digits, `_` and `-` becomes `_` (no `.`, wildcards or spaces). */
export function token(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, '_');
  return cleaned.length > 0 ? cleaned : '_';
}

export function checkSubjectPart(what: string, value: string): string {
  if (!TYPE.test(value)) throw new Error(`${what} "${value}" cannot be used in a NATS subject`);
  return value;
}

export function checkStreamName(what: string, value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error(`${what} "${value}" is not a valid JetStream stream name`);
  return value;
}

/** Where an event is stored: `<prefix>.<tenant>.<type>`. */
export function eventSubject(prefix: string, event: EventEnvelope): string {
  return `${prefix}.${token(String(event.tenantId ?? ''))}.${checkSubjectPart('event type', event.type)}`;
}

/** Events of one type, of one tenant or (without one) of every tenant. */
export function typeSubject(prefix: string, type: string, tenantId?: string): string {
  const tenant = tenantId === undefined ? '*' : token(tenantId);
  return `${prefix}.${tenant}.${checkSubjectPart('event type', type)}`;
}

/** Where a consumer's dead letter of an event type goes. */
export function deadLetterSubject(prefix: string, durable: string, type: string): string {
  return `${prefix}.${durable}.${type}`;
}

/**
 * `<prefix>.<first>.<rest>` taken apart: the tenant and the event type of an event's subject, the
 * consumer and the event type of a dead letter's.
 */
export function splitSubject(prefix: string, subject: string): { first: string; rest: string } {
  const withDot = `${prefix}.`;
  const tail = subject.startsWith(withDot) ? subject.slice(withDot.length) : subject;
  const dot = tail.indexOf('.');
  return { first: tail.slice(0, dot), rest: tail.slice(dot + 1) };
}
