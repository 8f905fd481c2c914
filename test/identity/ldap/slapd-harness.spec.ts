import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDirectory, type TestDirectory } from '../../support/slapd.js';

let d: TestDirectory;

beforeAll(async () => {
  d = await startTestDirectory();
});

afterAll(async () => {
  await d?.dispose();
});

function accepts(url: string): Promise<boolean> {
  const port = Number(new URL(url).port);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Gone, or a zombie waiting for a reaper: either way no longer serving. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('slapd test harness', () => {
  it('should start slapd so that it dies with the process that started it', async () => {
    await d.stop();
    // A parent that starts slapd exactly as the harness does, then is killed without cleanup.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.argv[1], JSON.parse(process.argv[2]), { stdio: 'ignore' });
         process.stdout.write(String(c.pid) + '\\n');
         setInterval(() => {}, 1000);`,
        d.commandLine[0],
        JSON.stringify(d.commandLine.slice(1)),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) => {
      parent.stdout.once('data', (chunk: Buffer) =>
        resolve(Number(chunk.toString().trim())),
      );
    });
    await expect.poll(() => accepts(d.ldapUrl), { timeout: 10_000 }).toBe(true);
    expect(running(pid)).toBe(true);
    parent.kill('SIGKILL');
    await expect.poll(() => running(pid), { timeout: 10_000 }).toBe(false);
    await expect
      .poll(() => accepts(d.ldapUrl), { timeout: 10_000 })
      .toBe(false);
    // The harness starts it again on the same ports.
    await d.start();
    expect(await accepts(d.ldapsUrl)).toBe(true);
  });
});
