import { Injectable } from '@nestjs/common';
import { Clock } from '../common/index.js';
import {
  allowedInWindow,
  carriedOver,
  retryAfterMs,
  windowAt,
  type WindowPosition,
} from './sliding-window.js';
import { SlotBatches } from './slot-batches.js';
import { MAX_LOCAL_ENTRIES, slotId, TakenSlots } from './taken-slots.js';
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
  /** Counts of windows that have ended (they can no longer change). */
  private readonly closed = new Map<string, number>();
  private readonly slots: TakenSlots;
  private readonly batches: SlotBatches;

  constructor(
    private readonly repository: ThrottleRepository,
    private readonly clock: Clock,
  ) {
    this.slots = new TakenSlots(repository);
    this.batches = new SlotBatches(repository, this.slots);
  }

  /** Counts one event, or refuses it (nothing counted) when the window is full. */
  async claim(spec: CounterSpec): Promise<Claim> {
    const now = this.clock.now();
    const position = windowAt(now, spec.windowMs);
    const previous = await this.previousCount(spec, position);
    const allowed = allowedInWindow(spec.limit, previous, position.fraction);
    const id = counterId(spec.key, position.index);
    const expiresAt = new Date(position.endMs + spec.windowMs);
    const slot = await this.batches.take(id, allowed, expiresAt);
    if (slot !== undefined) {
      return {
        ok: true,
        slot,
        counted: carriedOver(previous, position.fraction) + slot,
      };
    }
    const firstFree = this.slots.known(id);
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
    const known = this.slots.known(id);
    let full = known > allowed;
    if (!full && allowed > 0) {
      // Taken slots are a prefix: the window is full exactly when slot `allowed` is taken.
      full = await this.repository.slotExists(slotId(id, allowed));
      if (full) {
        this.slots.remember(id, allowed + 1);
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
      (await this.slots.firstFree(id, this.slots.known(id), spec.limit)) - 1;
    return carriedOver(previous, position.fraction) + current;
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
      (await this.slots.firstFree(id, this.slots.known(id), spec.limit)) - 1;
    if (this.closed.size >= MAX_LOCAL_ENTRIES) {
      this.closed.clear();
    }
    this.closed.set(id, count);
    return count;
  }
}

function counterId(key: string, windowIndex: number): string {
  return `${key}|${windowIndex}`;
}
