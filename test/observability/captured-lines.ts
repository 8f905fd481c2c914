/** A pino destination that keeps every line, for tests. */
export class CapturedLines {
  readonly lines: string[] = [];

  write(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.length > 0) {
        this.lines.push(line);
      }
    }
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Every line parsed as JSON (fails the test on a line that is not). */
  json(): Record<string, unknown>[] {
    return this.lines.map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
  }
}
