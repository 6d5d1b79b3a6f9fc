import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '#platform/config';

export interface ServiceSpec {
  name: string;
  /** Entry file relative to the repository root: TypeScript runs under tsx, JavaScript (a build) on plain node. */
  entry: string;
  args: string[];
  env: Record<string, string>;
  /** Base URL of the service's HTTP surface (/healthz, /readyz, /metrics). */
  baseUrl: string;
}

/** One service as its own Node process, its output prefixed with its name. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  /** Called when the process ends without having been asked to. */
  onUnexpectedExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  private stopping = false;

  constructor(readonly spec: ServiceSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(out: NodeJS.WritableStream, width: number): void {
    // Its own process group: Ctrl-C reaches the launcher only, which stops the services in order.
    const loader = this.spec.entry.endsWith('.js') ? [] : ['--import', 'tsx'];
    const child = spawn(process.execPath, [...loader, this.spec.entry, ...this.spec.args], {
      cwd: REPO_ROOT,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const prefix = `${this.spec.name.padEnd(width)} | `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => out.write(`${prefix}${line}\n`));
    }
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.onUnexpectedExit?.(code, signal);
        resolve(code);
      });
    });
  }

  /** Polls /readyz until it answers 200; fails early when the process dies. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited before it was ready`);
      const response = await fetch(`${this.spec.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      await response?.body?.cancel().catch(() => undefined);
      if (response?.ok) return;
      if (Date.now() > deadline) throw new Error(`${this.spec.name} was not ready within ${Math.round(timeoutMs / 1000)} s (${this.spec.baseUrl}/readyz)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** SIGTERM (the services drain and exit), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (!this.child || !this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
