// Load generation (autocannon) and the small statistics the report needs.
import autocannon from 'autocannon';
import { cpuSplitMs } from './processes.mjs';

/**
 * One autocannon run. `ok(status)` says which answers count as successes; the rate is successes
 * per second of the whole run (not autocannon's per-second sample mean).
 */
export async function load({
  url,
  method = 'GET',
  headers = {},
  body,
  connections = 10,
  duration,
  amount,
  overallRate,
  ok = (status) => status >= 200 && status < 300,
  /** Every answer's body must be exactly this (autocannon counts the others as mismatches). */
  expectBody,
  /** Processes whose CPU time per request is reported (`{server: pid, mongo: pid}`). */
  pids = {},
}) {
  const options = { url, method, headers, body, connections, timeout: 10 };
  // autocannon refuses keys that are present but undefined.
  for (const [key, value] of Object.entries({
    duration,
    amount,
    overallRate,
    expectBody,
  })) {
    if (value !== undefined) {
      options[key] = value;
    }
  }
  const watched = { ...pids, loadgen: process.pid };
  const before = cpuOf(watched);
  const result = await autocannon(options);
  const after = cpuOf(watched);
  let good = 0;
  let bad = 0;
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (ok(Number(status))) {
      good += count;
    } else {
      bad += count;
    }
  }
  const seconds = (result.finish - result.start) / 1000;
  const requests = Math.max(1, good + bad);
  const cpu = {};
  for (const name of Object.keys(watched)) {
    if (before[name] && after[name]) {
      const user = after[name].user - before[name].user;
      const system = after[name].system - before[name].system;
      cpu[name] = {
        /** CPU (user + system) per request, in microseconds. */
        usPerRequest: ((user + system) * 1000) / requests,
        /** Cores busy on average (1 = one core all the time). */
        cores: (user + system) / 1000 / seconds,
        /** Part of it in the kernel (sockets, mostly). */
        systemShare: system / Math.max(1, user + system),
      };
    }
  }
  return {
    rate: good / seconds,
    good,
    bad: bad + result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([s, { count }]) => [
        s,
        count,
      ]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    seconds,
    cpu,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

function cpuOf(pids) {
  const out = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      out[name] = pid ? cpuSplitMs(pid) : undefined;
    } catch {
      out[name] = undefined; // not on Linux, or the process is gone
    }
  }
  return out;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{median, min, max, n}` of a list of numbers. */
export function spread(values) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/** `123 (110-130)`, or just the number for a single value. */
export function formatSpread(s, digits = 0, unit = '') {
  const f = (v) => `${v.toFixed(digits)}${unit}`;
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}-${f(s.max)})` : f(s.median);
}
