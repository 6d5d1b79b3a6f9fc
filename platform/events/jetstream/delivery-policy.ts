import type { DeliveryPolicy } from '../bus.js';

/*
 * How a consumer's DeliveryPolicy maps onto JetStream. The server counts deliveries (the count
 * survives restarts and is shared by replicas), holds every retry timer and redelivers what a dead
 * process left unacknowledged; the bus decides each retry's delay and writes the dead letter.
 * Checked against nats-server 2.9.10, the version this machine runs, and the current source:
 *
 * - The consumer setting `backoff` is not used. The server applies it only when an ack wait runs
 *   out, never to a NAK (a plain NAK comes back at once, on 2.9 and every later release), and it
 *   replaces the ack wait with its first step: every delivery would have 100 ms (the default
 *   policy's first step) before the server hands it out again, so a handler running longer than
 *   that, without progress acks many times a second, would run twice at once, maybe on two
 *   replicas, breaking one-at-a-time per aggregate. It also skews NAK delays (a NAK of 500 ms with
 *   backoff [300, 900] ms comes back after 1.1 s). So a failed handler is NAK'd with the policy's
 *   delay for its attempt, and the server keeps that timer.
 * - `max_deliver` is not the policy's attempts. When the server reaches it, it stops redelivering,
 *   publishes a MAX_DELIVERIES advisory once on core NATS (lost unless something listens at that
 *   moment; it carries no handler error) and leaves the message neither acked nor pending (on 2.9.10
 *   it counts as pending again after a server restart). An event whose last attempt never finished
 *   (the process died in it) or whose dead letter could not be published would vanish silently. So
 *   the server allows a few deliveries more: one after the last attempt is dead-lettered without
 *   running the handler, and the server's own limit is only a backstop.
 */
const EXTRA_SERVER_DELIVERIES = 5;

/** The consumer's `max_deliver` at the server. */
export function serverMaxDeliver(policy: DeliveryPolicy): number {
  return policy.maxDeliver + EXTRA_SERVER_DELIVERIES;
}

/** A delivery after the policy's last attempt: that attempt never finished, or its dead letter was not published. */
export function attemptsUsedUp(policy: DeliveryPolicy, attempt: number): boolean {
  return attempt > policy.maxDeliver;
}

/** The policy's last attempt: if the handler fails now, the event is dead-lettered. */
export function isLastAttempt(policy: DeliveryPolicy, attempt: number): boolean {
  return attempt >= policy.maxDeliver;
}

/** The last delivery the server allows: a dead letter that cannot be published now is lost. */
export function isLastServerDelivery(policy: DeliveryPolicy, attempt: number): boolean {
  return attempt >= serverMaxDeliver(policy);
}

/** How long the server holds a failed delivery back before the next attempt (the policy's last step repeats). */
export function retryDelayMs(policy: DeliveryPolicy, attempt: number): number {
  const backoff = policy.backoffMs;
  return backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 1_000;
}
