// Events between subgraphs: envelopes, the transactional outbox and inbox, the relay, the buses.
export { COMMITTED_EVENTS_EXTENSION, createEvent, defineEvent, looksLikeEvent, type EventDefinition, type EventEnvelope } from './event.js';
export { DEFAULT_DELIVERY, type BroadcastOptions, type ConsumerOptions, type DeadLetter, type DeliveryPolicy, type EventBus } from './bus.js';
export { Inbox, Outbox, type RawSql } from './outbox.js';
export { UnitOfWork, type EventSink } from './unit-of-work.js';
export { OutboxRelay } from './relay.js';
export { Retention, type RetentionOptions } from './retention.js';
export { applyOutboxMigrations, OUTBOX_SCHEMA } from './outbox-migrations.js';
export { createEventBus } from './create-bus.js';
export { InProcessBus } from './in-process-bus.js';
export { JetStreamBus, type JetStreamBusOptions } from './jetstream/jetstream-bus.js';
