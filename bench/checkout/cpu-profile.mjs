// Preloaded into every service by `bench:checkout --profile DIR` (NODE_OPTIONS=--import; Node refuses
// --cpu-prof there): profiles the process from start to exit and writes DIR/<pid>.cpuprofile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // the main thread's session answers synchronously, so this runs before the process is gone
    session.post('Profiler.stop', (error, result) => {
      // hosts/subgraph.ts orders → subgraph-orders-<pid>; gateway/src/main.ts → main-<pid>
      const name = [basename(process.argv[1] ?? 'node', '.ts'), process.argv[2]].filter(Boolean).join('-');
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
