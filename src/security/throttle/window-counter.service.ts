import { Injectable } from '@nestjs/common';
import { Clock } from '../../session/clock.js';
import {
  allowedInWindow,
  carriedOver,
  retryAfterMs,
  windowAt,
  type WindowPosition,
} from './sliding-window.js';
import { ThrottleRepository } from './throttle.repository.js';

/** One counter: `key` names what is counted and must include the subject's generation. */
export interface CounterSpec {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

export type Claim =
  | {
      readonly ok: true;
      /** 1 for the first event of the window, 2 for the second... */
      readonly slot: number;
      /** The events counted now, this one included (previous window's share + slot). */
      readonly counted: number;
    }
  | { readonly ok: false; readonly retryAfterMs: number };

interface SlotWaiter {
  readonly allowed: number;
  readonly expiresAt: Date;
  readonly resolve: (slot: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** Local knowledge is bounded: beyond this many entries it starts over (costs lookups, never memory). */
const MAX_LOCAL_ENTRIES = 20_000;

/**
 * Counts events in sliding windows, shared by every replica through MongoDB, exactly under
 * concurrency on MongoDB and FerretDB alike: the n-th event of a window is the one insert of slot
 * n that succeeds, so parallel callers always get distinct slots and never more than the limit.
 * Slots are taken in order, so the taken ones form a prefix and a count is the first free slot
 * minus one. Each process remembers the first slot it does not know to be taken (`next`), so a
 * claim is usually one insert (concurrent claims of one counter share one insertMany) and a full
 * window is refused without any database work; a stale memory only costs a few lookups
 * (galloping search), never a wrong count.
 */
@Injectable()
export class WindowCounter {
  /** Per counter and window: the first slot not known to be taken. */
  private readonly next = new Map<string, number>();
  /** Counts of windows that have ended (they can no longer change). */
  private readonly closed = new Map<string, number>();
  /** Per counter: claims waiting for the insert in flight (see takeSlot). */
  private readonly queued = new Map<string, SlotWaiter[]>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly repository: ThrottleRepository,
    private readonly clock: Clock,
  ) {}

  /** Counts one event, or refuses it (nothing counted) when the window is full. */
  async claim(spec: CounterSpec): Promise<Claim> {
    const now = this.clock.now();
    const position = windowAt(now, spec.windowMs);
    const previous = await this.previousCount(spec, position);
    const allowed = allowedInWindow(spec.limit, previous, position.fraction);
    const id = counterId(spec.key, position.index);
    const expiresAt = new Date(position.endMs + spec.windowMs);
    const slot = await this.takeSlot(id, allowed, expiresAt);
    if (slot !== undefined) {
      return {
        ok: true,
        slot,
        counted: carriedOver(previous, position.fraction) + slot,
      };
    }
    const firstFree = this.next.get(id) ?? 1;
    return {
      ok: false,
      retryAfterMs: retryAfterMs(
        spec.limit,
        previous,
        Math.max(firstFree - 1, allowed),
        now,
        spec.windowMs,
      ),
    };
  }

  /** Whether the next event would be refused, without counting one; undefined when it would not. */
  async refusal(
    spec: CounterSpec,
  ): Promise<{ retryAfterMs: number } | undefined> {
    const now = this.clock.now();
    const position = windowAt(now, spec.windowMs);
    const previous = await this.previousCount(spec, position);
    const allowed = allowedInWindow(spec.limit, previous, position.fraction);
    const id = counterId(spec.key, position.index);
    const known = this.next.get(id) ?? 1;
    let full = known > allowed;
    if (!full && allowed > 0) {
      // Taken slots are a prefix: the window is full exactly when slot `allowed` is taken.
      full = await this.repository.slotExists(slotId(id, allowed));
      if (full) {
        this.remember(id, allowed + 1);
      }
    } else if (allowed === 0) {
      full = true;
    }
    if (!full) {
      return undefined;
    }
    return {
      retryAfterMs: retryAfterMs(
        spec.limit,
        previous,
        Math.max(known - 1, allowed),
        now,
        spec.windowMs,
      ),
    };
  }

  /** The events counted now (previous window's share + this window's), for reports. */
  async count(spec: CounterSpec): Promise<number> {
    const position = windowAt(this.clock.now(), spec.windowMs);
    const previous = await this.previousCount(spec, position);
    const id = counterId(spec.key, position.index);
    const current =
      (await this.firstFree(id, this.next.get(id) ?? 1, spec.limit)) - 1;
    return carriedOver(previous, position.fraction) + current;
  }

  /**
   * A slot of counter `id` up to `allowed`, or undefined when the window is full. Claims of one
   * counter are sent together: while one insert is in flight, later claims queue and then go as
   * one insertMany of consecutive slots. So a hot key (one address calling the API URL) costs
   * one round trip per batch, and claims of one process never collide with each other.
   */
  private takeSlot(
    id: string,
    allowed: number,
    expiresAt: Date,
  ): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.queued.get(id);
      const waiter = { allowed, expiresAt, resolve, reject };
      if (waiting) {
        waiting.push(waiter);
      } else {
        this.queued.set(id, [waiter]);
      }
      if (!this.draining.has(id)) {
        void this.drain(id);
      }
    });
  }

  private async drain(id: string): Promise<void> {
    this.draining.add(id);
    try {
      for (
        let waiting = this.queued.get(id);
        waiting;
        waiting = this.queued.get(id)
      ) {
        this.queued.delete(id);
        await this.serve(id, waiting);
      }
    } finally {
      this.draining.delete(id);
    }
  }

  /** Gives each waiter a slot or "full"; never throws (a store failure rejects the waiters). */
  private async serve(id: string, waiters: SlotWaiter[]): Promise<void> {
    let pending = waiters;
    try {
      while (pending.length > 0) {
        const bound = Math.max(...pending.map((w) => w.allowed));
        const from = this.next.get(id) ?? 1;
        if (from > bound) {
          break;
        }
        const count = Math.min(pending.length, bound - from + 1);
        const slots = Array.from({ length: count }, (_, i) => from + i);
        const won = await this.repository.insertSlots(
          slots.map((slot) => slotId(id, slot)),
          pending[0].expiresAt,
        );
        // Every slot tried is taken now, by this call or by another replica.
        this.remember(id, from + count);
        const ours = slots.filter((_, i) => won[i]);
        if (ours.length === 0) {
          // Another replica is ahead: find where its slots end with a few lookups.
          await this.firstFree(id, from + count, bound);
          continue;
        }
        const unserved: SlotWaiter[] = [];
        for (const waiter of pending) {
          if (ours.length > 0 && ours[0] <= waiter.allowed) {
            waiter.resolve(ours.shift());
          } else {
            unserved.push(waiter);
          }
        }
        pending = unserved;
      }
      for (const waiter of pending) {
        waiter.resolve(undefined);
      }
    } catch (error) {
      for (const waiter of pending) {
        waiter.reject(error);
      }
    }
  }

  private async previousCount(
    spec: CounterSpec,
    position: WindowPosition,
  ): Promise<number> {
    const id = counterId(spec.key, position.index - 1);
    const cached = this.closed.get(id);
    if (cached !== undefined) {
      return cached;
    }
    const count =
      (await this.firstFree(id, this.next.get(id) ?? 1, spec.limit)) - 1;
    if (this.closed.size >= MAX_LOCAL_ENTRIES) {
      this.closed.clear();
    }
    this.closed.set(id, count);
    return count;
  }

  /**
   * The first slot from `from` on that is not taken, at most `bound + 1`: gallop forward over
   * taken slots (1, 2, 4... ahead), then bisect. A handful of `_id` lookups even far behind.
   */
  private async firstFree(
    id: string,
    from: number,
    bound: number,
  ): Promise<number> {
    if (from > bound || !(await this.repository.slotExists(slotId(id, from)))) {
      return Math.min(from, bound + 1);
    }
    let taken = from;
    let step = 1;
    let free = bound + 1;
    while (taken + step <= bound) {
      if (!(await this.repository.slotExists(slotId(id, taken + step)))) {
        free = taken + step;
        break;
      }
      taken += step;
      step *= 2;
    }
    while (free - taken > 1) {
      const middle = Math.floor((taken + free) / 2);
      if (await this.repository.slotExists(slotId(id, middle))) {
        taken = middle;
      } else {
        free = middle;
      }
    }
    this.remember(id, free);
    return free;
  }

  private remember(id: string, next: number): void {
    if ((this.next.get(id) ?? 0) >= next) {
      return;
    }
    if (this.next.size >= MAX_LOCAL_ENTRIES) {
      this.next.clear();
    }
    this.next.set(id, next);
  }
}

function counterId(key: string, windowIndex: number): string {
  return `${key}|${windowIndex}`;
}

function slotId(counter: string, slot: number): string {
  return `s|${counter}|${slot}`;
}
