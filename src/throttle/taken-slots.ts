import type { ThrottleRepository } from './throttle.repository.js';

/** Local knowledge is bounded: beyond this many entries it starts over (costs lookups, never memory). */
export const MAX_LOCAL_ENTRIES = 20_000;

/**
 * What this process knows of a counter's slots. Taken slots form a prefix, so one number per
 * counter says it all: the first slot not known to be taken. Knowledge only grows; a stale value
 * costs lookups, never a wrong count.
 */
export class TakenSlots {
  private readonly next = new Map<string, number>();

  constructor(private readonly repository: ThrottleRepository) {}

  /** The first slot of counter `id` not known to be taken. */
  known(id: string): number {
    return this.next.get(id) ?? 1;
  }

  /**
   * The first slot from `from` on that is not taken, at most `bound + 1`: gallop forward over
   * taken slots (1, 2, 4... ahead), then bisect. A handful of `_id` lookups even far behind.
   */
  async firstFree(id: string, from: number, bound: number): Promise<number> {
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

  remember(id: string, next: number): void {
    if ((this.next.get(id) ?? 0) >= next) {
      return;
    }
    if (this.next.size >= MAX_LOCAL_ENTRIES) {
      this.next.clear();
    }
    this.next.set(id, next);
  }
}

export function slotId(counter: string, slot: number): string {
  return `s|${counter}|${slot}`;
}
