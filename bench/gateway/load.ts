// What the gateway bench measures with: pinned child processes, their CPU time and RSS from /proc,
// and closed-loop clients on keep-alive connections (undici).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { cpuMsOf, TICKS_PER_SECOND } from '../lib/proc.js';


/** User + system CPU time of a whole process (every thread), in ms. */
export function cpuMs(pid: number): number {
  const used = cpuMsOf(pid);
  if (used === undefined) throw new Error(`process ${pid} is gone`);
  return used;
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Busy time of one CPU of the machine (every process on it), in ms. */
export function cpuBusyMs(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  const [user, nice, system, , , irq, softirq, steal] = line!.trim().split(/\s+/).slice(1).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / TICKS_PER_SECOND;
}

/** Pins this process, every thread of it, to one CPU. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** What it printed (stdout and stderr), for error reports. */
  output(): string;
  /** Lines it printed to stdout since start. */
  lines(): number;
  stop(): Promise<void>;
}

/** Starts `node [nodeArgs] script args` (under tsx for a .ts script), pinned to `cpu`, and waits until it prints `ready`. */
export async function startPinned(options: {
  name: string;
  cpu: number;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string | undefined>;
  ready: string;
  timeoutMs?: number;
}): Promise<Child> {
  const child = spawn('taskset', ['-c', String(options.cpu), process.execPath, ...(options.nodeArgs ?? []), ...(options.script.endsWith('.ts') ? ['--import', 'tsx'] : []), options.script, ...(options.args ?? [])], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    keep(chunk);
    for (const byte of chunk) if (byte === 10) lines += 1;
  });
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} was not ready after ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
    const watch = () => {
      if (output.includes(options.ready)) {
        clearTimeout(timer);
        child.stdout!.off('data', watch);
        resolve();
      }
    };
    child.stdout!.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    name: options.name,
    process: child,
    pid: child.pid!,
    output: () => output,
    lines: () => lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Target {
  name: string;
  pid: number;
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The size every good answer has; anything else counts as an error. */
  expectedBytes: number;
}

export function targetPool(url: string, connections: number): { pool: Pool; path: string } {
  const { origin, pathname } = new URL(url);
  return { pool: new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 }), path: pathname };
}

export interface Window {
  /** Answers completed within the window's duration. */
  completed: number;
  /** Every answer, including those in flight when the window closed. */
  total: number;
  errors: number;
  firstError: string | undefined;
  latenciesMs: number[];
  durationMs: number;
  /** From the first request until the last answer (the window plus the answers still in flight). */
  elapsedMs: number;
  /** The window on the machine's monotonic clock (µs), the clock V8's CPU profiles are stamped with. */
  monotonicUs: [number, number];
  /** CPU of the target process from the first request until the last answer. */
  cpuMs: number;
  /** CPU of other processes over the same time (e.g. this one and the subgraphs), by pid. */
  otherCpuMs: Record<number, number>;
  /** Busy time of the target's CPU over the same time, whoever used it. */
  targetCpuBusyMs: number;
}

/** `connections` clients, each sending its next request when the last is answered, for `durationMs`. */
export async function closedLoop(target: Target, connections: number, durationMs: number, watchPids: number[] = [], targetCpu = 1): Promise<Window> {
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpuBefore = cpuMs(target.pid);
  const othersBefore = watchPids.map(cpuMs);
  const coreBefore = cpuBusyMs(targetCpu);
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const deadline = started + durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const response = await target.pool.request({ path: target.path, method: 'POST', headers: target.headers, body: target.body });
        const bytes = (await response.body.arrayBuffer()).byteLength;
        if (response.statusCode !== 200 || bytes !== target.expectedBytes) {
          errors += 1;
          firstError ??= `HTTP ${response.statusCode}, ${bytes} bytes (expected ${target.expectedBytes})`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
      const done = performance.now();
      latencies.push(done - sent);
      if (done <= deadline) completed += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  const elapsedMs = performance.now() - started;
  const monotonicUs: [number, number] = [startedUs, Number(process.hrtime.bigint() / 1000n)];
  const cpu = cpuMs(target.pid) - cpuBefore;
  const others = Object.fromEntries(watchPids.map((pid, i) => [pid, cpuMs(pid) - othersBefore[i]!]));
  const targetCpuBusyMs = cpuBusyMs(targetCpu) - coreBefore;
  return { completed, total: latencies.length, errors, firstError, latenciesMs: latencies, durationMs, elapsedMs, monotonicUs, cpuMs: cpu, otherCpuMs: others, targetCpuBusyMs };
}

/** One request, its answer parsed. */
export async function requestJson(target: Omit<Target, 'expectedBytes' | 'pid'>): Promise<{ status: number; bytes: number; json: unknown }> {
  const response = await target.pool.request({ path: target.path, method: 'POST', headers: target.headers, body: target.body });
  const text = await response.body.text();
  return { status: response.statusCode, bytes: Buffer.byteLength(text), json: JSON.parse(text) };
}

/** The first place two JSON values differ, as a path, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`);
    if (difference) return difference;
  }
  return null;
}
