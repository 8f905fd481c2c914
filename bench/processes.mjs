// Child processes of the benchmark and what it reads about them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Spawns `node <args>` and resolves with its first stdout line once written. The child's stdin
 * stays open: the helpers exit when it closes, so nothing outlives the benchmark.
 */
export function spawnNode(
  args,
  { env = process.env, timeoutMs = 30_000 } = {},
) {
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const firstLine = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${args[0]}: no output within ${timeoutMs} ms: ${stderr}`),
      );
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const at = out.indexOf('\n');
      if (at !== -1) {
        clearTimeout(timer);
        resolve(out.slice(0, at));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}): ${stderr}`));
    });
  });
  return {
    child,
    firstLine,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `node <args>` to completion and returns its stdout parsed as JSON. */
export async function runNodeJson(args) {
  const helper = spawnNode(args, { timeoutMs: 600_000 });
  const line = await helper.firstLine;
  await helper.exited;
  return JSON.parse(line);
}

/** Resident set size of a process, in MiB (from /proc; Linux only). */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/** What the resident set holds, in MiB: anonymous memory (heaps, stacks) and mapped files (the
 * node binary, shared libraries, native addons). */
export function rssPartsMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  return { anon: field('RssAnon'), file: field('RssFile') };
}

/** One metric's value from a Prometheus text exposition. */
export function metricValue(text, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** CPU time (user + system) a process has used so far, in milliseconds (from /proc; Linux only). */
export function cpuMs(pid) {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}

/** User and system CPU time of a process so far, in milliseconds. */
export function cpuSplitMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    user: (Number(fields[11]) * 1000) / CLOCK_TICKS,
    system: (Number(fields[12]) * 1000) / CLOCK_TICKS,
  };
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

/** Share of the machine's CPU time that was busy over `ms` (all processes; from /proc/stat). */
export async function machineBusy(ms = 500) {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = read();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/**
 * On a shared machine: waits (at most `maxMs`) until other work leaves the CPU mostly idle
 * (`threshold` busy share), so a measurement does not start in someone else's burst. Returns the
 * busy share seen last.
 */
export async function waitForQuiet({ threshold = 0.15, maxMs = 60_000 } = {}) {
  const deadline = Date.now() + maxMs;
  let busy = await machineBusy();
  while (busy > threshold && Date.now() < deadline) {
    busy = await machineBusy(1000);
  }
  return busy;
}
