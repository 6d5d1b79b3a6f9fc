import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import { errorMessage } from './error-message.js';
import type { DurableConsumer, Streams } from './streams.js';

/** Where pulled messages go: the consumer's ordered consumption. */
export interface PulledMessages extends DurableConsumer {
  dispatch(msg: JsMsg): void;
}

function sleep(ms: number, until?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void until?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Pulls one durable consumer's messages until stopped. The client's pull survives reconnects, but
 * if it ever ends on its own it is started again; when the server lost the stream or the consumer
 * (restarted without its storage) they are recreated.
 */
export class PullLoop {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private healing = false;
  private stopping = false;
  private signalStop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));

  constructor(
    private readonly js: JetStreamClient,
    private readonly streams: Streams,
    private readonly target: PulledMessages,
    private readonly options: { stream: string; prefetch: number },
    private readonly logger: Logger,
  ) {}

  /** Starts pulling from the durable consumer, which must exist; throws when the server cannot be asked. */
  async start(): Promise<void> {
    const messages = await this.startMessages();
    this.loop = this.run(messages);
  }

  /** Ends the pull; once it resolves, no more messages are dispatched. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    await Promise.allSettled([this.messages?.close()]);
    await Promise.allSettled([this.loop]);
  }

  private async startMessages(): Promise<ConsumerMessages> {
    const consumer = await this.js.consumers.get(this.options.stream, this.target.durable);
    const messages = await consumer.consume({ max_messages: this.options.prefetch });
    this.messages = messages;
    void this.watchConsumer(messages);
    return messages;
  }

  private async run(first: ConsumerMessages): Promise<void> {
    const { consumer } = this.target;
    let messages: ConsumerMessages | undefined = first;
    while (!this.stopping) {
      if (!messages) {
        try {
          await this.streams.ensureConsumer(this.target);
          messages = await this.startMessages();
          this.logger.info({ consumer }, 'consumer restarted');
        } catch (error) {
          this.logger.warn({ consumer, err: errorMessage(error) }, 'could not restart consumer; retrying');
          await sleep(1_000, this.stopped);
          continue;
        }
        if (this.stopping) {
          await messages.close();
          break;
        }
      }
      try {
        for await (const msg of messages) {
          try {
            this.target.dispatch(msg);
          } catch (error) {
            this.logger.error({ consumer, seq: msg.seq, err: errorMessage(error) }, 'could not dispatch message; it will be redelivered');
          }
        }
      } catch (error) {
        if (!this.stopping) this.logger.error({ consumer, err: errorMessage(error) }, 'consumer stopped');
      }
      messages = undefined;
      if (!this.stopping) await sleep(1_000, this.stopped);
    }
  }

  private async watchConsumer(messages: ConsumerMessages): Promise<void> {
    const { consumer } = this.target;
    try {
      for await (const status of messages.status()) {
        switch (status.type) {
          case 'heartbeats_missed':
            this.logger.warn({ consumer, missed: status.count }, 'consumer heartbeats missed');
            break;
          case 'consumer_not_found':
          case 'consumer_deleted':
          case 'stream_not_found':
            this.logger.warn({ consumer, status: status.type }, 'consumer lost at the server');
            this.heal();
            break;
          case 'no_responders':
            this.logger.warn({ consumer }, 'JetStream not responding');
            break;
          default:
            break;
        }
      }
    } catch {
      /* the status iterator ends with the messages iterator */
    }
  }

  /** Recreates the streams and the consumer when the server lost them (e.g. restarted without its storage). */
  private heal(): void {
    if (this.healing || this.stopping) return;
    this.healing = true;
    void (async () => {
      try {
        await this.streams.ensureStreams();
        await this.streams.ensureConsumer(this.target);
        this.logger.warn({ consumer: this.target.consumer }, 'stream or consumer was missing and has been recreated');
        // end the current pull loop now rather than after missed heartbeats: `run` starts a fresh one
        await this.messages?.close();
      } catch (error) {
        this.logger.error({ consumer: this.target.consumer, err: errorMessage(error) }, 'could not recreate stream or consumer');
      } finally {
        this.healing = false;
      }
    })();
  }
}
