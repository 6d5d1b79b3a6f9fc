import type { Logger } from '#platform/observability';

/**
 * Reads the accounts JWKS every `intervalMs` and reports the key ids it lists. Live sockets outlast
 * the verification of their token, so when a key leaves the JWKS (retired after a rotation, or
 * pulled because it leaked) the sockets signed in with it are closed by the listener. A JWKS that
 * cannot be read or lists no key reports nothing: an outage of accounts never closes sockets.
 */
export class SigningKeyWatch {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly jwksUrl: string,
    private readonly intervalMs: number,
    private readonly onKeys: (keyIds: ReadonlySet<string>) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reading of the JWKS now (also what the timer runs). */
  check(): Promise<void> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async read(): Promise<void> {
    let keys: unknown;
    try {
      const response = await fetch(this.jwksUrl, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      keys = ((await response.json()) as { keys?: unknown }).keys;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not read the JWKS to check signing keys');
      return;
    }
    if (!Array.isArray(keys)) return;
    const ids = new Set(keys.map((key) => (key && typeof key === 'object' ? (key as { kid?: unknown }).kid : undefined)).filter((kid): kid is string => typeof kid === 'string'));
    if (ids.size > 0) this.onKeys(ids);
  }
}
