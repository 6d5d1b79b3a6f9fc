import { createServer } from 'node:net';

/** A port one of the launcher's processes will listen on, and the variable that sets it. */
export interface ServicePort {
  service: string;
  port: number;
  variable: string;
}

/** Whether `host:port` can be listened on now (the probe listens and closes at once). */
function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Refuses to start when a port of the stack is already taken. Without this, a process that fails
 * to listen could pass for ready: the launcher polls each port's /readyz, and whatever already
 * listens there (an `npm start` left running, another stack) would answer it.
 */
export async function assertPortsFree(host: string, ports: ServicePort[]): Promise<void> {
  const taken: ServicePort[] = [];
  for (const entry of ports) if (entry.port !== 0 && !(await isFree(host, entry.port))) taken.push(entry);
  if (taken.length === 0) return;
  const which = taken.map(({ service, port, variable }) => `${service} ${port} (${variable})`).join(', ');
  throw new Error(
    `${taken.length === 1 ? 'a port' : 'ports'} of the stack already in use on ${host}: ${which}. ` +
      'Stop what listens there (an npm start or another start:distributed still running?) or set those variables to free ports.',
  );
}
