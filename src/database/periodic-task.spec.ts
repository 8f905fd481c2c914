import type { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MongoConnectionService } from './mongo-connection.service.js';
import { PeriodicTask, type PeriodicTaskOptions } from './periodic-task.js';

/** The two things a PeriodicTask asks of the connection: its state and the first-connect hook. */
class Connection {
  state = 'connecting';
  private readonly listeners: (() => Promise<void>)[] = [];
  onConnected(listener: () => Promise<void>): void {
    this.listeners.push(listener);
  }
  async connect(): Promise<void> {
    this.state = 'connected';
    await Promise.all(this.listeners.map((listener) => listener()));
  }
}

class Lines {
  readonly log: string[] = [];
  readonly warn: string[] = [];
  readonly logger = {
    log: (line: string) => this.log.push(line),
    warn: (line: string) => this.warn.push(line),
  } as unknown as Logger;
}

function task(
  connection: Connection,
  lines: Lines,
  options: Partial<PeriodicTaskOptions> & Pick<PeriodicTaskOptions, 'pass'>,
): PeriodicTask {
  return new PeriodicTask(
    connection as unknown as MongoConnectionService,
    lines.logger,
    { name: 'Test sweep', intervalMs: 1000, ...options },
  );
}

describe('PeriodicTask', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should start at the first connection, run at connect when asked, then every interval, and report only passes that handled something', async () => {
    const connection = new Connection();
    const lines = new Lines();
    const counts = [2, 0, 5];
    const pass = vi.fn<() => Promise<number>>(() =>
      Promise.resolve(counts.shift() ?? 0),
    );
    const periodic = task(connection, lines, {
      pass,
      runAtConnect: true,
      report: (n) => `handled ${n}`,
    });
    periodic.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(pass).not.toHaveBeenCalled();
    await connection.connect();
    expect(pass).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(pass).toHaveBeenCalledTimes(3);
    expect(lines.log).toEqual(['handled 2', 'handled 5']);
    await periodic.stop();
  });

  it('should skip passes while MongoDB is away and log a failed pass without stopping', async () => {
    const connection = new Connection();
    const lines = new Lines();
    const pass = vi
      .fn<() => Promise<number>>()
      .mockRejectedValueOnce(
        new Error('boom', { cause: new Error('ECONNRESET') }),
      )
      .mockResolvedValue(0);
    const periodic = task(connection, lines, { pass });
    periodic.start();
    await connection.connect();
    connection.state = 'disconnected';
    await vi.advanceTimersByTimeAsync(3000);
    expect(pass).not.toHaveBeenCalled();
    connection.state = 'connected';
    await vi.advanceTimersByTimeAsync(1000);
    expect(lines.warn).toHaveLength(1);
    expect(lines.warn[0]).toMatch(
      /^Test sweep failed \(.*ECONNRESET.*\); retrying/,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(pass).toHaveBeenCalledTimes(2);
    await periodic.stop();
  });

  it('should share one pass between overlapping runs, and on stop wait for it and run no more', async () => {
    const connection = new Connection();
    const lines = new Lines();
    let finish: (n: number) => void = () => undefined;
    const pass = vi.fn<() => Promise<number>>(
      () =>
        new Promise<number>((resolve) => {
          finish = resolve;
        }),
    );
    const periodic = task(connection, lines, { pass });
    periodic.start();
    await connection.connect();
    const first = periodic.run();
    const second = periodic.run();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pass).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = periodic.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    expect(periodic.stopped).toBe(true);
    finish(3);
    await stopping;
    expect(await first).toBe(3);
    expect(await second).toBe(3);
    await vi.advanceTimersByTimeAsync(5000);
    expect(pass).toHaveBeenCalledTimes(1);
  });
});
