import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Which kind of server the run uses: 'external', 'mongodb-memory-server' or 'ferretdb'. */
export function mongoKind(): string {
  return inject('mongoKind');
}

/** Whether the run's server is FerretDB (no TTL indexes, no collation, no transactions). */
export function mongoIsFerretDb(): boolean {
  return inject('mongoIsFerretDb');
}

/** A URI for a fresh database on the run's server, so test files never see each other's data. */
export function freshDatabaseUri(label = 'test'): {
  uri: string;
  dbName: string;
} {
  const dbName = `${label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const base = inject('mongoUri');
  const queryAt = base.indexOf('?');
  const uri =
    queryAt === -1
      ? `${base.replace(/\/$/, '')}/${dbName}`
      : `${base.slice(0, queryAt).replace(/\/$/, '')}/${dbName}${base.slice(queryAt)}`;
  return { uri, dbName };
}
