// Measures the test server's throughput: inserts, finds and updates per second with N concurrent
// clients (one connection each), to compare builds of the wrapper (see docs/testing.md).
//
//   node tools/ferretdb/throughput.mjs [--binary PATH | --uri URI] [--clients 8] [--seconds 5]
//                                      [--no-serialise]
//
// Without --uri it starts the given FerretDB build (default: the current one) on a fresh data
// directory and disposes of it afterwards.
import { MongoClient } from 'mongodb';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startFerretDb } from './ferretdb.mjs';

const { values } = parseArgs({
  options: {
    binary: { type: 'string' },
    uri: { type: 'string' },
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '5' },
    // The front without its locks: what the relay alone costs.
    'no-serialise': { type: 'boolean', default: false },
  },
});
const clientCount = Number(values.clients);
const durationMs = Number(values.seconds) * 1000;

const server = values.uri
  ? undefined
  : await startFerretDb({
      binary: values.binary,
      logLevel: 'error',
      serialiseWrites: !values['no-serialise'],
    });
const uri = values.uri ?? server.uri;
const dbName = `throughput_${process.pid}`;
const clients = await Promise.all(
  Array.from({ length: clientCount }, () =>
    new MongoClient(uri, { maxPoolSize: 1 }).connect(),
  ),
);
const docs = (w) => clients[w].db(dbName).collection('docs');
const pad = 'x'.repeat(200);
const inserted = Array.from({ length: clientCount }, () => 0);
const pick = () => {
  const w = Math.floor(Math.random() * clientCount);
  return `${w}-${Math.floor(Math.random() * Math.max(inserted[w], 1))}`;
};

/** The server's CPU time so far in ms (Linux), to compare builds on a machine whose load varies. */
function serverCpuMs() {
  if (!server?.pid) {
    return undefined;
  }
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Runs `op(worker)` in a loop on every client for the duration; returns ops/s and latencies. */
async function phase(name, op) {
  const latencies = [];
  const cpuBefore = serverCpuMs();
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    clients.map(async (_, w) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op(w);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = serverCpuMs();
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    name,
    ops: latencies.length,
    perSecond: Math.round(latencies.length / elapsed),
    p50: at(0.5).toFixed(2),
    p99: at(0.99).toFixed(2),
    cpuPerOp:
      cpu === undefined
        ? ''
        : ((cpu - cpuBefore) / latencies.length).toFixed(2),
  };
}

const rows = [];
rows.push(
  await phase('insert (one collection)', async (w) => {
    const i = inserted[w];
    await docs(w).insertOne({ _id: `${w}-${i}`, n: 0, pad });
    inserted[w] = i + 1;
  }),
);
rows.push(await phase('find by _id', (w) => docs(w).findOne({ _id: pick() })));
rows.push(
  await phase('update $inc, random documents', (w) =>
    docs(w).updateOne({ _id: pick() }, { $inc: { n: 1 } }),
  ),
);
await docs(0).insertOne({ _id: 'hot', n: 0 });
const hot = await phase('update $inc, one document', (w) =>
  docs(w).updateOne({ _id: 'hot' }, { $inc: { n: 1 } }),
);
rows.push(hot);
const counted = (await docs(0).findOne({ _id: 'hot' })).n;
rows.push(
  await phase('update $inc, one collection per client', async (w) => {
    await clients[w]
      .db(dbName)
      .collection(`own_${w}`)
      .updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { upsert: true });
  }),
);

process.stdout.write(
  `${clientCount} clients, ${values.seconds} s per phase, ${values.uri ? 'MONGODB_URI' : (values.binary ?? 'current build')}\n\n` +
    '| phase | ops/s | p50 ms | p99 ms | server CPU ms/op |\n' +
    '|---|---:|---:|---:|---:|\n' +
    rows
      .map(
        (r) =>
          `| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.cpuPerOp} |`,
      )
      .join('\n') +
    `\n\none-document $inc: ${hot.ops} acknowledged, counter at ${counted}` +
    ` (${hot.ops - counted} lost)\n`,
);

await clients[0].db(dbName).dropDatabase();
await Promise.all(clients.map((c) => c.close()));
await server?.dispose();
