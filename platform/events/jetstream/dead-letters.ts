import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { DeadLetter } from '../bus.js';
import type { EventEnvelope } from '../event.js';
import { parseEnvelope, placeholderEnvelope } from './event-body.js';
import type { ResolvedOptions } from './options.js';
import { deadLetterSubject, splitSubject } from './subjects.js';

// A dead letter is the event's message body as it was delivered, with these headers.
const H_CONSUMER = 'Dlq-Consumer';
const H_ERROR = 'Dlq-Error';
const H_ATTEMPTS = 'Dlq-Attempts';
const H_AT = 'Dlq-At';
const H_STREAM = 'Dlq-Stream';
const H_STREAM_SEQ = 'Dlq-Stream-Seq';
const H_SUBJECT = 'Dlq-Subject';
const MAX_HEADER_VALUE = 2_000;

function headerValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_HEADER_VALUE ? `${flat.slice(0, MAX_HEADER_VALUE)}…` : flat;
}

/** What a dead letter says of the delivery that gave up. */
export interface FailedDelivery {
  /** The bus consumer's name and its durable's at the server. */
  consumer: string;
  durable: string;
  /** The event type, from the message's subject. */
  type: string;
  error: string;
  attempts: number;
}

/** The dead-letter stream: where events go after their last attempt, and where operators read them back. */
export class DeadLetterStream {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: ResolvedOptions,
  ) {}

  /** Stores the delivered message as a dead letter; resolves to its subject once JetStream has it, throws otherwise. */
  async publish(msg: JsMsg, failed: FailedDelivery): Promise<string> {
    const h = natsHeaders();
    h.set(H_CONSUMER, headerValue(failed.consumer));
    h.set(H_ERROR, headerValue(failed.error));
    h.set(H_ATTEMPTS, String(failed.attempts));
    h.set(H_AT, new Date().toISOString());
    h.set(H_STREAM, this.options.stream);
    h.set(H_STREAM_SEQ, String(msg.seq));
    h.set(H_SUBJECT, msg.subject);
    const subject = deadLetterSubject(this.options.deadLetterPrefix, failed.durable, failed.type);
    // the id makes a second dead letter of the same delivery (lost ack, crash) a duplicate
    await this.js.publish(subject, msg.data, {
      msgID: `${this.options.stream}:${msg.seq}:${failed.durable}`,
      headers: h,
      timeout: this.options.publishTimeoutMs,
    });
    return subject;
  }

  /** Reads the dead-letter stream (optionally one consumer's letters), oldest first. */
  async read(filter: { consumer?: string } = {}): Promise<DeadLetter[]> {
    const { deadLetterStream } = this.options;
    const info = await this.jsm.streams.info(deadLetterStream);
    if (info.state.messages === 0) return [];
    const last = info.state.last_seq;
    // an ordered consumer over the whole stream, read up to the last message it held when we started
    const reader = await this.js.consumers.get(deadLetterStream);
    const letters: DeadLetter[] = [];
    try {
      let reachedEnd = false;
      while (!reachedEnd) {
        const batch = await reader.fetch({ max_messages: 1_000, expires: 2_000 });
        let got = 0;
        for await (const msg of batch) {
          got += 1;
          const letter = this.toDeadLetter(msg);
          if (filter.consumer === undefined || letter.consumer === filter.consumer) letters.push(letter);
          if (msg.seq >= last) {
            reachedEnd = true;
            break;
          }
        }
        if (got === 0) break; // the tail was deleted meanwhile
      }
    } finally {
      await reader.delete().catch(() => undefined);
    }
    return letters;
  }

  private toDeadLetter(msg: JsMsg): DeadLetter {
    const h = msg.headers;
    const raw = msg.string();
    const { first: consumer, rest: type } = splitSubject(this.options.deadLetterPrefix, msg.subject);
    let event: EventEnvelope;
    try {
      event = parseEnvelope(raw);
    } catch {
      event = placeholderEnvelope(type, raw, undefined);
    }
    return {
      consumer: h?.get(H_CONSUMER) || consumer,
      event,
      error: h?.get(H_ERROR) ?? '',
      attempts: Number(h?.get(H_ATTEMPTS) || 0),
      at: h?.get(H_AT) || msg.time.toISOString(),
    };
  }
}
