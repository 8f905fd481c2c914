export * from './logging/index.js';
export * from './metrics/index.js';
export { ObservabilityModule } from './observability.module.js';
