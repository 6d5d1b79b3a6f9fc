import { pino, type Logger } from 'pino';
import type { CommonConfig } from './config.js';

export type { Logger };

/** JSON logs, one line per event; `service` names the emitter, `requestId` ties a request's lines together. */
export function createLogger(service: string, config: Pick<CommonConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'token'], remove: true },
  });
}
