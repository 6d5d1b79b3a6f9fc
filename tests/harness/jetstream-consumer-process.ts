import { pino } from 'pino';
import { JetStreamBus, type JetStreamBusOptions } from '#platform/events';

// A consumer in a process of its own, for tests that kill it in the middle of an attempt. It prints
// one line per handler call ("attempt <event id> <delivery>"); its handler fails until the policy's
// last attempt, which never finishes (the test kills the process there).
// Settings come as JSON in JETSTREAM_CONSUMER: { url, consumer, types, options }.
const { url, consumer, types, options } = JSON.parse(process.env.JETSTREAM_CONSUMER ?? '{}') as {
  url: string;
  consumer: string;
  types: string[];
  options: JetStreamBusOptions & { delivery: { maxDeliver: number; backoffMs: number[] } };
};

const bus = await JetStreamBus.connect(url, pino({ level: 'silent' }), options);
const calls = new Map<string, number>();
await bus.consume({
  consumer,
  types,
  handler: async (event) => {
    const attempt = (calls.get(event.id) ?? 0) + 1;
    calls.set(event.id, attempt);
    process.stdout.write(`attempt ${event.id} ${attempt}\n`);
    if (attempt < options.delivery.maxDeliver) throw new Error(`failure ${attempt}`);
    await new Promise(() => undefined);
  },
});
process.stdout.write('ready\n');
