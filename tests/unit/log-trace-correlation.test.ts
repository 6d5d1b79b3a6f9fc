import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';

// A process of its own: the logger writes to its stdout, which is what log collectors read.
const script = `
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTracing } from '#platform/observability';
import { loadCommonConfig } from '#platform/config';
startTracing({ service: 'probe', config: loadCommonConfig({}).telemetry, spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
const logger = createLogger('probe', { logLevel: 'info' });
logger.info('outside any span');
trace.getTracer('probe').startActiveSpan('work', (span) => {
  logger.child({ requestId: 'r1' }).info({ ids: span.spanContext() }, 'inside a span');
  span.end();
});
`;

describe('logs and traces', () => {
  it('writes trace_id and span_id on the lines logged inside a span, and none outside', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    const [outside, inside] = output.trim().split('\n').map((line) => JSON.parse(line));
    expect(outside.msg).toBe('outside any span');
    expect(outside).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({ msg: 'inside a span', requestId: 'r1', trace_id: inside.ids.traceId, span_id: inside.ids.spanId });
    expect(inside.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
