// Turns the measurements into the console summary and bench/results.md. The notes between the
// markers in an existing results.md (analysis, explanations of misses) are kept on rewrite.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { formatSpread, median } from './load.mjs';

const NOTES_START = '<!-- notes:start -->';
const MB_PER_MIB = 1.048576;
const NOTES_END = '<!-- notes:end -->';

/** Each target: how it reads, the measured value, and whether it is met. */
export function targets(r) {
  const rss = r.memory.samples.map((s) => s.rss);
  const afterFirst = rss.slice(1);
  const growth = afterFirst.at(-1) - afterFirst[0];
  const rows = [
    {
      name: 'API URL warm path vs bare Fastify with the same I/O',
      target: '>= 70 %',
      value: pct(r.api.ratio),
      met: r.api.ratio.median >= 0.7,
    },
    {
      name: 'Rocket.Chat calls per warm API URL call',
      target: '<= 1',
      value: r.api.rcCallsPerCall.max.toFixed(4),
      met: r.api.rcCallsPerCall.max <= 1,
    },
    {
      name: 'New Rocket.Chat tokens per warm API URL call',
      target: '0',
      value: `${r.api.mintsPerCall.max.toFixed(4)}${r.api.sameTokenEveryCall ? ' (the same token in every answer)' : ''}`,
      met: r.api.mintsPerCall.max === 0,
    },
    {
      name: '`GET /login` vs bare Fastify hello',
      target: '>= 40 %',
      value: pct(r.loginPage.ratio),
      met: r.loginPage.ratio.median >= 0.4,
    },
    {
      name: '`POST /login` vs raw argon2id verify rate',
      target: '>= 80 %',
      value: pct(r.logins.ratio),
      met: r.logins.ratio.median >= 0.8,
    },
    {
      name: 'Event-loop delay p99 during the login storm',
      target: '< 20 ms',
      value: `${r.storm.loopP99Ms.toFixed(1)} ms`,
      met: r.storm.loopP99Ms < 20,
    },
    {
      name: '`GET /login` p99 during the login storm',
      target: '< 50 ms',
      value: `${r.storm.pageP99Ms.toFixed(1)} ms`,
      met: r.storm.pageP99Ms < 50,
    },
    {
      name: `RSS after ${r.memory.samples.at(-1).after.toLocaleString('en')} requests`,
      // MB as written: 10^6 bytes (150 MB is 143.1 MiB); the samples are in MiB.
      target: '< 150 MB',
      value: `${(Math.max(...rss) * MB_PER_MIB).toFixed(1)} MB = ${Math.max(...rss).toFixed(1)} MiB (peak of samples)`,
      met: Math.max(...rss) * MB_PER_MIB < 150,
    },
    {
      name: 'RSS across repeated runs',
      target: 'flat',
      value: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB from run 1 to run ${afterFirst.length}`,
      met: growth <= 10,
    },
  ];
  return rows;
}

function pct(s) {
  return formatSpread(
    { ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 },
    0,
    ' %',
  );
}

export function printSummary(r) {
  const line = (text) => process.stdout.write(`${text}\n`);
  line('');
  line(
    `benchmark (${r.mode}), ${r.elapsedS.toFixed(0)} s, MongoDB: ${r.mongo}`,
  );
  line(
    `  API warm path   ${formatSpread(r.api.bridge)} req/s  vs lookup+call ${formatSpread(r.api.baseline)} req/s, vs two lookups ${formatSpread(r.api.sameIo)} req/s; Rocket.Chat calls/call ${r.api.rcCallsPerCall.max}, mints/call ${r.api.mintsPerCall.max}, MongoDB/call ${JSON.stringify(r.api.mongoCommandsPerCall ?? {})}`,
  );
  line(
    `  GET /login      ${formatSpread(r.loginPage.bridge)} req/s  vs hello ${formatSpread(r.loginPage.baseline)} req/s`,
  );
  line(
    `  POST /login     ${formatSpread(r.logins.logins, 1)} logins/s  vs argon2 ${formatSpread(r.logins.argon2, 1)} verifies/s`,
  );
  line(
    `  (vs argon2 at the bridge's ${r.logins.hashSlots} hash slot(s): ${formatSpread(r.logins.argon2Slots, 1)} verifies/s, ratio ${pct(r.logins.ratioSlots)})`,
  );
  line(
    `  storm           ${r.storm.logins.toFixed(1)} logins/s, loop p99 ${r.storm.loopP99Ms.toFixed(1)} ms, GET /login p99 ${r.storm.pageP99Ms.toFixed(1)} ms`,
  );
  line(
    `  RSS (MiB)       ${r.memory.samples.map((s) => `${s.rss.toFixed(0)} @${s.after}`).join(', ')}`,
  );
  for (const t of targets(r)) {
    line(
      `  ${t.met ? 'met   ' : 'missed'} ${t.name.replaceAll('`', '')}: ${t.value} (target ${t.target})`,
    );
  }
}

export function writeReport(file, r) {
  const notes = existingNotes(file);
  const m = machine();
  const rows = targets(r)
    .map(
      (t) =>
        `| ${t.name} | ${t.target} | ${t.value} | ${t.met ? 'met' : '**missed** (see notes)'} |`,
    )
    .join('\n');
  const s = r.settings;
  const text = `# Benchmark results

Written by \`npm run bench\` (full mode); the notes at the end are kept when it rewrites this file.
Medians of ${s.rounds} interleaved rounds, with min-max in brackets.

- Date: ${new Date().toISOString()}
- Commit: ${m.commit}
- Machine: ${m.cpus} × ${m.model}, ${m.ramGiB} GiB RAM, ${m.os}; Node ${process.version}
- Load average (1/5/15 min) before: ${r.loadavg.before.map((v) => v.toFixed(2)).join(' / ')}, after: ${r.loadavg.after.map((v) => v.toFixed(2)).join(' / ')}
  (the machine is shared with other work; each measurement waited up to 90 s for the CPU to be
  at most 15 % busy: busy share seen before the measurements, median ${(median(r.busyBefore) * 100).toFixed(0)} %, max ${(Math.max(...r.busyBefore) * 100).toFixed(0)} %)
- MongoDB: ${r.mongo === 'ferretdb' ? 'FerretDB v1 (SQLite backend), same machine' : 'MONGODB_URI'}; Rocket.Chat: the emulator (8.0), own process
- The bridge: \`node ${r.nodeFlags.join(' ')} dist/main.js\`, \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, metrics on a separate port
- Load: autocannon in the benchmark process; bridge, baselines, emulator and database each in their own process, all on the same cores

## Targets

| Measure | Target | Result | |
|---|---|---|---|
${rows}

## Measurements

| Measure | Bridge | Baseline | Ratio |
|---|---|---|---|
| API URL warm path (\`POST /rocketchat/api\`, session cookie, token handed out moments before), ${s.connections} connections, ${s.duration} s | ${formatSpread(r.api.bridge)} req/s, p99 ${formatSpread(r.api.bridgeP99, 1)} ms; ${r.api.rcCallsPerCall.max} Rocket.Chat calls and ${r.api.mintsPerCall.max} new tokens per call; MongoDB commands per call: ${JSON.stringify(r.api.mongoCommandsPerCall ?? {})} | Fastify: one MongoDB lookup + one keep-alive call to the emulator: ${formatSpread(r.api.baseline)} req/s | ${pct(r.api.ratio)} |
| the same warm path vs Fastify doing the bridge's real I/O on it (two lookups by _id, no Rocket.Chat call) | | ${formatSpread(r.api.sameIo)} req/s | ${pct(r.api.sameIoRatio)} |
| CPU per request (µs): the bridge / Fastify with two lookups; the database's, same runs | ${cpuUs(r.api.bridgeCpu)} / ${cpuUs(r.api.sameIoCpu)}; database ${cpuUs(r.api.bridgeCpu, 'mongo')} / ${cpuUs(r.api.sameIoCpu, 'mongo')} | | |
| \`GET /login/?next=…\`, ${s.connections} connections, ${s.duration} s | ${formatSpread(r.loginPage.bridge)} req/s, p99 ${formatSpread(r.loginPage.bridgeP99, 1)} ms | hello: ${formatSpread(r.loginPage.baseline)} req/s | ${pct(r.loginPage.ratio)} |
| server CPU per request (µs), same runs: Fastify hello / Fastify sending a copy of the login page / NestJS hello / the bridge's \`/health/live\` / \`GET /login\` | ${cpuUs(r.loginPage.baselineCpu)} / ${r.loginPage.pageCpu ? cpuUs(r.loginPage.pageCpu) : '–'} / ${cpuUs(r.loginPage.nestCpu)} / ${cpuUs(r.loginPage.liveCpu)} / ${cpuUs(r.loginPage.bridgeCpu)} | page copy ${r.loginPage.page ? `${formatSpread(r.loginPage.page)} req/s (${pct(r.loginPage.pageRatio)} of hello)` : '–'}, NestJS hello ${formatSpread(r.loginPage.nest)} req/s, \`/health/live\` ${formatSpread(r.loginPage.live)} req/s | |
| load generator CPU per request (µs): hello / \`GET /login\` | ${cpuUs(r.loginPage.baselineCpu, 'loadgen')} / ${cpuUs(r.loginPage.bridgeCpu, 'loadgen')} | | |
| \`POST /login\` (valid credentials, new session), ${s.loginConnections} connections, ${s.duration} s | ${formatSpread(r.logins.logins, 1)} logins/s | argon2id verify, ${s.loginConnections} in flight: ${formatSpread(r.logins.argon2, 1)} /s | ${pct(r.logins.ratio)} |
| the same logins vs argon2id with as many in flight as the bridge hashes at once (${r.logins.hashSlots}) | | ${formatSpread(r.logins.argon2Slots, 1)} /s | ${pct(r.logins.ratioSlots)} |
| CPU per login (ms): the bridge, all threads / the database; raw argon2id per verify | ${(Number(cpuUs(r.logins.cpu)) / 1000).toFixed(1)} / ${(Number(cpuUs(r.logins.cpu, 'mongo')) / 1000).toFixed(1)} | ${(r.logins.argon2CpuUs.median / 1000).toFixed(1)} | |
| Login storm: ${s.stormConnections} connections of \`POST /login\` for ${s.stormDuration} s, plus \`GET /login\` at ${s.stormPageRate}/s | ${r.storm.logins.toFixed(1)} logins/s; event loop p99 ${r.storm.loopP99Ms.toFixed(1)} ms (max ${r.storm.loopMaxMs.toFixed(1)} ms); \`GET /login\` p50 ${r.storm.pageP50Ms.toFixed(1)} ms, p99 ${r.storm.pageP99Ms.toFixed(1)} ms | | |

RSS of the bridge process (runs of ${s.rssRequests.toLocaleString('en')} requests, ${s.connections} connections: half \`GET /login\`, half warm API URL calls in chunks of ${s.apiChunk.toLocaleString('en')} per fresh session; sampled 1 s after each run; ${r.memory.failed} failed):

| After requests | RSS | of which anonymous / mapped files | V8 heap used |
|---|---|---|---|
${r.memory.samples.map((x) => `| ${x.after.toLocaleString('en')} | ${x.rss.toFixed(1)} MiB (${(x.rss * MB_PER_MIB).toFixed(1)} MB) | ${x.anon === undefined ? '–' : `${x.anon.toFixed(1)} / ${x.file.toFixed(1)} MiB`} | ${x.heapMiB === undefined || Number.isNaN(x.heapMiB) ? '–' : `${x.heapMiB.toFixed(1)} MiB`} |`).join('\n')}

Failed requests: API URL ${r.api.failed}, \`GET /login\` ${r.loginPage.failed}, \`POST /login\` ${r.logins.failed}, storm logins ${r.storm.loginFailures}, storm pages ${r.storm.pageFailures}.

## Notes

${NOTES_START}
${notes}
${NOTES_END}
`;
  writeFileSync(file, text);
}

function existingNotes(file) {
  if (!existsSync(file)) {
    return '(none yet)';
  }
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(NOTES_START);
  const end = text.indexOf(NOTES_END);
  return start === -1 || end === -1
    ? '(none yet)'
    : text.slice(start + NOTES_START.length, end).trim();
}

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no'],
      {
        encoding: 'utf8',
      },
    ).trim();
    commit = `${sha}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    // not a git checkout
  }
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    model: cpus[0]?.model ?? 'unknown CPU',
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    commit,
  };
}

/** Median CPU µs per request of one watched process in a cpuSpread. */
function cpuUs(cpu, name = 'server') {
  const value = cpu?.[name]?.usPerRequest?.median;
  return value === undefined ? '?' : value.toFixed(0);
}
