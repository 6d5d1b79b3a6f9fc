// The HTTP surface every process shares: health, readiness, metrics, listening, body errors.
export { createHttpApp, jsonErrorHandler, listen, operationalRoutes, type HttpAppOptions, type HttpRoute, type ReadinessCheck } from './http-server.js';
export { metricsPlugin } from './metrics-plugin.js';
export { errorLogPlugin } from './error-log-plugin.js';
export { inputHygienePlugin } from './input-hygiene-plugin.js';
