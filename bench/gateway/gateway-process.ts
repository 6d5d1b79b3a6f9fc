// One gateway process of the bench: `ours`, `stock`, or `commerce-stack` (npm start's whole
// supergraph). Prints "READY <url>" when it serves; SIGTERM stops it (and writes --cpu-prof).
const kind = process.argv[2];

if (kind === 'commerce-stack') {
  const { runEmbeddedStack } = await import('./our-gateway.js');
  await runEmbeddedStack();
} else {
  let running: { url: string; stop(): Promise<void> };
  if (kind === 'ours') {
    const { startOurGateway } = await import('./our-gateway.js');
    running = await startOurGateway(process.env);
  } else if (kind === 'stock') {
    // tsx turns on source-mapped stack traces for the whole process; a team running stock
    // @apollo/gateway from plain JavaScript would not pay for them, so neither does the baseline.
    process.setSourceMapsEnabled(false);
    const { startStockGateway } = await import('./stock-gateway.js');
    running = await startStockGateway(process.env);
  } else {
    throw new Error(`usage: gateway-process.ts ours|stock|commerce-stack (got ${kind})`);
  }
  console.log(`READY ${running.url}`);
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    void running.stop().finally(() => process.exit(0));
  });
}
