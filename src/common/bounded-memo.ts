/**
 * Results of a pure function of a string, remembered for hot paths (the login page sees the same
 * `next` and Accept-Language values over and over). Bounded: when full it starts over, so
 * visitors choosing many distinct inputs cost time, never memory.
 */
export class BoundedMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly compute: (input: string) => T,
    private readonly maxEntries = 1000,
    private readonly maxInputLength = 1024,
  ) {}

  get(input: string): T {
    if (input.length > this.maxInputLength) {
      return this.compute(input);
    }
    if (this.entries.has(input)) {
      return this.entries.get(input)!;
    }
    const value = this.compute(input);
    if (this.entries.size >= this.maxEntries) {
      this.entries.clear();
    }
    this.entries.set(input, value);
    return value;
  }
}
