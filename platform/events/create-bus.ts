import type { CommonConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { EventBus } from './bus.js';
import { InProcessBus } from './in-process-bus.js';

/** NATS JetStream when NATS_URL is set; otherwise the in-process bus (events stay inside this process). */
export async function createEventBus(config: Pick<CommonConfig, 'natsUrl'> & Partial<Pick<CommonConfig, 'natsNamespace' | 'eventBatchSize'>>, logger: Logger): Promise<EventBus> {
  if (config.natsUrl) {
    const { JetStreamBus } = await import('./jetstream/jetstream-bus.js');
    const ns = config.natsNamespace;
    const layout = ns
      ? { stream: `${ns.toUpperCase()}_EVENTS`, subjectPrefix: `${ns}_events`, deadLetterStream: `${ns.toUpperCase()}_DLQ`, deadLetterPrefix: `${ns}_dlq` }
      : {};
    // enough handlers at once per consumer to fill a batch (platform/subgraph/event-batches.ts)
    const concurrency = Math.max(16, config.eventBatchSize ?? 0);
    return JetStreamBus.connect(config.natsUrl, logger.child({ component: 'jetstream' }), { ...layout, concurrency, prefetch: Math.max(64, 2 * concurrency) });
  }
  logger.warn('NATS_URL is not set: events use the in-process bus and never leave this process');
  return new InProcessBus(logger.child({ component: 'bus' }));
}
