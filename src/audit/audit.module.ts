import { Global, Module } from '@nestjs/common';
import { prefixedModels } from '../database/index.js';
import { AuditRepository } from './audit.repository.js';
import { AUDIT_COLLECTION, AUDIT_MODEL, AuditSchema } from './audit.schema.js';
import { AuditService } from './audit.service.js';
import { AuditSweeper } from './audit-sweeper.service.js';
import { SessionEndAuditListener } from './session-end.listener.js';

/**
 * The audit trail (see AuditService), global: any module records with `AuditService.record()`.
 * Needs the `app` config namespace (AUDIT_RETENTION) and MongoDB.
 */
@Global()
@Module({
  imports: [
    prefixedModels([
      { name: AUDIT_MODEL, schema: AuditSchema, collection: AUDIT_COLLECTION },
    ]),
  ],
  providers: [
    AuditRepository,
    AuditService,
    AuditSweeper,
    SessionEndAuditListener,
  ],
  exports: [AuditService, AuditRepository, AuditSweeper],
})
export class AuditModule {}
