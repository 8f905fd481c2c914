/** What an injected fault does to a matching request. */
export type FaultAction =
  /** Answer with this status (and optional body/headers) instead of the real endpoint. */
  | {
      type: 'status';
      status: number;
      body?: unknown;
      headers?: Record<string, string>;
    }
  /** Delay, then answer normally. */
  | { type: 'latency'; ms: number }
  /** Never answer (the socket stays open until the client gives up or the emulator closes). */
  | { type: 'hang' }
  /** Destroy the socket without an answer. */
  | { type: 'close' }
  /** An HTML error page (a proxy's), with `status` (default 502). */
  | { type: 'html'; status?: number }
  /** A JSON body cut in half, `Content-Type: application/json`, with `status` (default 200). */
  | { type: 'truncated-json'; status?: number }
  /** 200 `{"success":false}`. */
  | { type: 'success-false' }
  /** 200 shaped like the real success but without `data.authToken` (login, createToken). */
  | { type: 'no-auth-token' };

export interface FaultRule {
  /** Route key (`users.createToken`, `login`, `info`, `ddp/login`...) or `*` for every REST route. */
  route: string;
  /** Only this HTTP method (any when omitted). */
  method?: string;
  action: FaultAction;
  /** Apply to this many matching calls, then disappear (forever when omitted). */
  times?: number;
  /** Extra latency before the action (any action). */
  delayMs?: number;
}

export interface ActiveFault extends FaultRule {
  readonly id: number;
  hits: number;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(rule: FaultRule): number {
    const id = this.nextId;
    this.nextId += 1;
    this.faults.push({ ...rule, id, hits: 0 });
    return id;
  }

  clear(id?: number): void {
    this.faults =
      id === undefined ? [] : this.faults.filter((f) => f.id !== id);
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Finds the first fault for this call and counts the use; `*` never matches internal routes. */
  take(
    route: string | null,
    method: string,
    isRest: boolean,
  ): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.route === route || (f.route === '*' && isRest)) &&
        (f.method === undefined ||
          f.method.toUpperCase() === method.toUpperCase()),
    );
    if (!fault) {
      return undefined;
    }
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) {
      this.clear(fault.id);
    }
    return { ...fault };
  }
}

export function describeFault(action: FaultAction): string {
  return action.type === 'status' ? `status-${action.status}` : action.type;
}
