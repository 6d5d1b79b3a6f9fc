import { describe, expect, it } from 'vitest';
import { ConfigError } from '#platform/config';
import { loadGatewayConfig } from '../../gateway/src/config.js';

describe('the gateway heap growth setting (GATEWAY_HEAP_GROWING_PERCENT)', () => {
  it('holds the old generation to 50 % above what survived the last full collection unless told otherwise', () => {
    expect(loadGatewayConfig({}).heapGrowingPercent).toBe(50);
  });

  it('leaves V8 its own growth when set to 0, and takes any other whole percentage', () => {
    expect(loadGatewayConfig({ GATEWAY_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadGatewayConfig({ GATEWAY_HEAP_GROWING_PERCENT: '100' }).heapGrowingPercent).toBe(100);
  });

  it('refuses a negative or fractional percentage at start', () => {
    expect(() => loadGatewayConfig({ GATEWAY_HEAP_GROWING_PERCENT: '-5' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ GATEWAY_HEAP_GROWING_PERCENT: '12.5' })).toThrow(/GATEWAY_HEAP_GROWING_PERCENT/);
  });
});
