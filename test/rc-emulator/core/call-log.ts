/** One request as the emulator saw it. Never holds tokens, passwords or bodies. */
export interface CallRecord {
  readonly seq: number;
  readonly method: string;
  /** Path without the query string, e.g. `/api/v1/users.createToken`. */
  readonly path: string;
  /** Route key, e.g. `users.createToken`, `info`, `ddp/login`; `null` when no route matched. */
  readonly route: string | null;
  /** HTTP status sent; `0` when the socket was closed or the request hangs. */
  readonly status: number;
  /** Authenticated caller (`X-User-Id` after a valid token), if any. */
  readonly userId: string | null;
  readonly ip: string;
  readonly at: Date;
  readonly durationMs: number;
  /** Injected fault that shaped this answer, if any. */
  readonly fault: string | null;
}

export interface CallFilter {
  route?: string;
  method?: string;
  status?: number;
  userId?: string;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  add(record: Omit<CallRecord, 'seq'>): void {
    this.seq += 1;
    this.records.push({ ...record, seq: this.seq });
    if (this.records.length > 10_000) {
      this.records.splice(0, this.records.length - 10_000);
    }
  }

  list(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter.route === undefined || r.route === filter.route) &&
        (filter.method === undefined ||
          r.method === filter.method.toUpperCase()) &&
        (filter.status === undefined || r.status === filter.status) &&
        (filter.userId === undefined || r.userId === filter.userId),
    );
  }

  count(filter: CallFilter = {}): number {
    return this.list(filter).length;
  }

  clear(): void {
    this.records = [];
  }
}
