// Typed configuration: every process parses and validates its environment once, at start.
export { ConfigError, jwksJson, loadCommonConfig, loadSubgraphConfig, parseEnv, type CommonConfig, type Env, type RuntimeEnv, type SubgraphConfig, type TelemetryConfig } from './config.js';
export { REPO_ROOT } from './paths.js';
