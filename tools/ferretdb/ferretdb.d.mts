export interface FerretDbServer {
  readonly kind: 'ferretdb';
  readonly uri: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly dataDir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<string>;
  dispose(): Promise<void>;
}

export function findGo(): string | undefined;
export function cacheDir(): string;
export function ensureBinary(options?: {
  log?: (line: string) => void;
}): string;
export function startFerretDb(options?: {
  port?: number;
  dataDir?: string;
  logLevel?: string;
  binary?: string;
  ttlIndexes?: boolean;
  ttlMonitorSleepSecs?: number;
  serialiseWrites?: boolean;
}): Promise<FerretDbServer>;
