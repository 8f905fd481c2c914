import type { ThrottleRepository } from './throttle.repository.js';
import { slotId, type TakenSlots } from './taken-slots.js';

interface SlotWaiter {
  readonly allowed: number;
  readonly expiresAt: Date;
  readonly resolve: (slot: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** The inserts of WindowCounter: concurrent claims of one counter share one round trip. */
export class SlotBatches {
  /** Per counter: claims waiting for the insert in flight. */
  private readonly queued = new Map<string, SlotWaiter[]>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly repository: ThrottleRepository,
    private readonly slots: TakenSlots,
  ) {}

  /**
   * A slot of counter `id` up to `allowed`, or undefined when the window is full. Claims of one
   * counter are sent together: while one insert is in flight, later claims queue and then go as
   * one insertMany of consecutive slots. So a hot key (one address calling the API URL) costs
   * one round trip per batch, and claims of one process never collide with each other.
   */
  take(
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
        const from = this.slots.known(id);
        if (from > bound) {
          break;
        }
        const count = Math.min(pending.length, bound - from + 1);
        const tried = Array.from({ length: count }, (_, i) => from + i);
        const won = await this.repository.insertSlots(
          tried.map((slot) => slotId(id, slot)),
          pending[0].expiresAt,
        );
        // Every slot tried is taken now, by this call or by another replica.
        this.slots.remember(id, from + count);
        const ours = tried.filter((_, i) => won[i]);
        if (ours.length === 0) {
          // Another replica is ahead: find where its slots end with a few lookups.
          await this.slots.firstFree(id, from + count, bound);
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
}
