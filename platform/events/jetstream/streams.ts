import { nanos } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import { serverMaxDeliver } from './delivery-policy.js';
import type { ResolvedOptions } from './options.js';

/** JetStream API error: a stream of that name exists with a different configuration. */
const STREAM_NAME_IN_USE = 10058;

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** A durable consumer as the server knows it: named after the bus consumer, filtered to its types. */
export interface DurableConsumer {
  /** The bus consumer's name (logs). */
  readonly consumer: string;
  /** Its name at the server. */
  readonly durable: string;
  readonly types: ReadonlySet<string>;
}

/**
 * What the bus needs at the server: the events and dead-letter streams and one durable pull
 * consumer per bus consumer, created when missing and updated when their settings changed.
 */
export class Streams {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
    /** The server takes several filter subjects per consumer (nats-server 2.10 and later). */
    private readonly multiFilter: boolean,
  ) {}

  async ensureStreams(): Promise<void> {
    const o = this.options;
    await this.ensureStream({
      name: o.stream,
      subjects: [`${o.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(o.duplicateWindowMs),
      max_age: nanos(o.maxAgeMs),
      num_replicas: 1,
    });
    await this.ensureStream({
      name: o.deadLetterStream,
      subjects: [`${o.deadLetterPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(o.duplicateWindowMs),
      max_age: 0,
      num_replicas: 1,
    });
  }

  /** Creates the durable consumer, or updates it when its filter or delivery settings changed. */
  async ensureConsumer(target: DurableConsumer): Promise<void> {
    const { stream, ackWaitMs, maxAckPending, delivery, deliverPolicy } = this.options;
    const wanted = {
      ...this.filterFor([...target.types]),
      ack_wait: nanos(ackWaitMs),
      max_deliver: serverMaxDeliver(delivery),
      max_ack_pending: maxAckPending,
    };
    let existing: ConsumerConfig | undefined;
    try {
      existing = (await this.jsm.consumers.info(stream, target.durable)).config;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    }
    if (!existing) {
      await this.jsm.consumers.add(stream, {
        durable_name: target.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
        ...wanted,
      });
      this.logger.info({ consumer: target.consumer, durable: target.durable, stream }, 'durable consumer created');
      return;
    }
    const sameFilters =
      (existing.filter_subject || undefined) === wanted.filter_subject &&
      JSON.stringify(existing.filter_subjects?.length ? [...existing.filter_subjects].sort() : undefined) ===
        JSON.stringify(wanted.filter_subjects);
    if (
      sameFilters &&
      existing.ack_wait === wanted.ack_wait &&
      existing.max_deliver === wanted.max_deliver &&
      existing.max_ack_pending === wanted.max_ack_pending
    ) {
      return;
    }
    await this.jsm.consumers.update(stream, target.durable, wanted);
    this.logger.info({ consumer: target.consumer, durable: target.durable, stream }, 'durable consumer updated');
  }

  /** Events not yet delivered and delivered but unacknowledged, as the server counts them. */
  async backlog(durable: string): Promise<{ pending: number; ackPending: number }> {
    const info = await this.jsm.consumers.info(this.options.stream, durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  /**
   * Whether the server has nothing left for this consumer: nothing pending or unacknowledged, or
   * no such consumer or stream. Any other answer, or none, counts as busy.
   */
  async idle(durable: string): Promise<boolean> {
    try {
      const info = await this.jsm.consumers.info(this.options.stream, durable);
      return !(info.num_pending > 0 || info.num_ack_pending > 0);
    } catch (error) {
      return isApiError(error, JetStreamApiCodes.ConsumerNotFound) || isApiError(error, JetStreamApiCodes.StreamNotFound);
    }
  }

  /** Creates the stream, or updates it when it exists with other settings. */
  private async ensureStream(config: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
    try {
      await this.jsm.streams.add(config);
      return;
    } catch (error) {
      if (!isApiError(error, STREAM_NAME_IN_USE)) throw error;
    }
    const { name, retention: _retention, storage: _storage, ...updatable } = config;
    await this.jsm.streams.update(name, updatable);
    this.logger.info({ stream: name }, 'stream updated');
  }

  private filterFor(types: string[]): Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'> {
    const prefix = this.options.subjectPrefix;
    const sorted = [...new Set(types)].sort();
    if (sorted.length === 1) return { filter_subject: `${prefix}.*.${sorted[0]!}`, filter_subjects: undefined };
    if (this.multiFilter) return { filter_subject: undefined, filter_subjects: sorted.map((t) => `${prefix}.*.${t}`) };
    // Before nats-server 2.10 a consumer has one filter: the narrowest wildcard over all its types;
    // events of other types it matches are acked without calling the handler.
    const split = sorted.map((t) => t.split('.'));
    const length = split[0]!.length;
    if (split.some((parts) => parts.length !== length)) return { filter_subject: `${prefix}.*.>`, filter_subjects: undefined };
    const common = split[0]!.map((part, i) => (split.every((parts) => parts[i] === part) ? part : '*'));
    return { filter_subject: `${prefix}.*.${common.join('.')}`, filter_subjects: undefined };
  }
}
