export type { AuditEvent, AuditKind, AuditOutcome } from './audit-event.js';
export { AuditModule } from './audit.module.js';
export { AuditRepository } from './audit.repository.js';
export type { AuditRecord } from './audit.schema.js';
export { AuditService, type AuditRequest } from './audit.service.js';
export { AuditSweeper } from './audit-sweeper.service.js';
