// The measurements. Each takes the running stack (`ctx`) and the mode's settings (`m`) and returns
// plain numbers; pairs (bridge vs baseline) are interleaved round by round, so a neighbour's CPU
// burst on this shared machine hits both sides of a ratio alike.
import { runNodeJson, rssMiB, rssPartsMiB, metricValue } from './processes.mjs';
import { load, spread } from './load.mjs';
import { sleep } from '../scripts/dev-stack.mjs';

const LOGIN_PAGE = '/login/?next=/rocketchat/redirect';

/**
 * `GET /login` (a fresh visitor: form, login-flow cookie, CSRF token) vs a bare Fastify hello, with
 * a NestJS-on-Fastify hello as the framework floor in between (how much is Nest, how much is ours).
 */
export async function loginPageVsHello(ctx, m) {
  const bridge = [];
  const hello = [];
  const nest = [];
  const live = [];
  const page = [];
  await copyLoginPage(ctx);
  // One layer after the other, each after the machine is quiet again.
  const measure = async (runs, url, pid, headers) => {
    await ctx.quiet();
    runs.push(
      await load({
        url,
        pids: { server: pid },
        ...(headers ? { headers } : {}),
        connections: m.connections,
        duration: m.duration,
      }),
    );
  };
  for (let round = 0; round < m.rounds; round += 1) {
    await measure(hello, `${ctx.baselineUrl}/hello`, ctx.baselinePid);
    await measure(nest, `${ctx.nestUrl}/hello`, ctx.nestPid);
    await measure(page, `${ctx.baselineUrl}/page`, ctx.baselinePid);
    await measure(live, `${ctx.bridgeUrl}/health/live`, ctx.bridgePid);
    await measure(bridge, `${ctx.bridgeUrl}${LOGIN_PAGE}`, ctx.bridgePid, {
      'accept-language': 'en',
    });
  }
  return {
    ...pair(bridge, hello),
    nest: spread(nest.map((r) => r.rate)),
    nestRatio: spread(nest.map((r, i) => r.rate / hello[i].rate)),
    nestCpu: cpuSpread(nest),
    // The bridge's own floor: every global hook (request id, logging, metrics, security and
    // framing headers) around a handler that does nothing.
    live: spread(live.map((r) => r.rate)),
    liveCpu: cpuSpread(live),
    // Fastify sending the login page's bytes and headers: the cost of the page itself.
    page: spread(page.map((r) => r.rate)),
    pageRatio: spread(page.map((r, i) => r.rate / hello[i].rate)),
    pageCpu: cpuSpread(page),
  };
}

/** Gives the baseline server a copy of the bridge's login page (bytes and headers). */
async function copyLoginPage(ctx) {
  const answer = await fetch(`${ctx.bridgeUrl}${LOGIN_PAGE}`, {
    headers: { 'accept-language': 'en' },
  });
  const headers = {};
  for (const [name, value] of answer.headers) {
    if (
      !['content-length', 'date', 'connection', 'keep-alive'].includes(name)
    ) {
      headers[name] = value;
    }
  }
  for (const cookie of answer.headers.getSetCookie()) {
    headers['set-cookie'] = cookie;
  }
  const body = await answer.text();
  const stored = await fetch(`${ctx.baselineUrl}/page`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ headers, body }),
  });
  if (stored.status !== 204) {
    throw new Error(`baseline refused the page copy (${stored.status})`);
  }
}

/**
 * `POST /login` (argon2id verify + session) vs raw argon2 verifies in a bare process: with as many
 * in flight as the benchmark's connections (every core hashing: the target's baseline), and with
 * as many as the bridge lets run at once (its hash slots: cores - 1).
 */
export async function loginsVsArgon2(ctx, m) {
  const logins = [];
  const raw = [];
  const rawSlots = [];
  const form = await ctx.loginForm();
  for (let round = 0; round < m.rounds; round += 1) {
    await ctx.quiet();
    raw.push(
      await runNodeJson([
        'bench/argon2-rate.mjs',
        String(m.duration),
        String(m.loginConnections),
      ]),
    );
    await ctx.quiet();
    rawSlots.push(
      await runNodeJson([
        'bench/argon2-rate.mjs',
        String(m.duration),
        String(ctx.hashSlots),
      ]),
    );
    await ctx.quiet();
    logins.push(
      await load({
        ...form,
        pids: { server: ctx.bridgePid, mongo: ctx.mongoPid },
        connections: m.loginConnections,
        duration: m.duration,
        ok: (status) => status === 303,
      }),
    );
  }
  return {
    logins: spread(logins.map((l) => l.rate)),
    argon2: spread(raw.map((r) => r.rate)),
    argon2CpuUs: spread(raw.map((r) => r.cpuUsPerVerify)),
    ratio: spread(logins.map((l, i) => l.rate / raw[i].rate)),
    hashSlots: ctx.hashSlots,
    argon2Slots: spread(rawSlots.map((r) => r.rate)),
    ratioSlots: spread(logins.map((l, i) => l.rate / rawSlots[i].rate)),
    cpu: cpuSpread(logins),
    failed: logins.reduce((sum, l) => sum + l.bad, 0),
    statuses: logins.map((l) => l.statuses),
  };
}

/**
 * The API URL's warm path (a session whose Rocket.Chat token was handed out before: every later
 * call, as on each page load of Rocket.Chat 7.8+, re-delivers it) vs a bare Fastify route doing the
 * same I/O (one MongoDB lookup by _id, one keep-alive HTTP call to the emulator). Each round logs in
 * afresh and reads the emulator's call log for the loop.
 */
export async function apiWarmPath(ctx, m) {
  const bridge = [];
  const io = [];
  const io2 = [];
  const rcCalls = [];
  const mints = [];
  const mongoPerCall = [];
  for (let round = 0; round < m.rounds; round += 1) {
    await ctx.quiet();
    io.push(
      await load({
        url: `${ctx.baselineUrl}/io`,
        method: 'POST',
        pids: { server: ctx.baselinePid, mongo: ctx.mongoPid },
        connections: m.connections,
        duration: m.duration,
      }),
    );
    await ctx.quiet();
    io2.push(
      await load({
        url: `${ctx.baselineUrl}/io2`,
        method: 'POST',
        pids: { server: ctx.baselinePid, mongo: ctx.mongoPid },
        connections: m.connections,
        duration: m.duration,
      }),
    );
    await ctx.quiet();
    const warm = await ctx.warmApiCall();
    await ctx.rc('clearCalls');
    const mongoBefore = mongoCommands(await ctx.scrape());
    const run = await load({
      ...warm.request,
      pids: { server: ctx.bridgePid, mongo: ctx.mongoPid },
      connections: m.connections,
      duration: m.duration,
    });
    const mongoAfter = mongoCommands(await ctx.scrape());
    const calls = await ctx.rc('countCalls', [{}]);
    const created = await ctx.rc('countCalls', ['users.createToken']);
    const answered = Math.max(1, run.good + run.bad);
    rcCalls.push(calls / answered);
    mints.push(created / answered);
    mongoPerCall.push(
      Object.fromEntries(
        Object.entries(mongoAfter)
          .map(([command, n]) => [
            command,
            (n - (mongoBefore[command] ?? 0)) / answered,
          ])
          .filter(([, perCall]) => perCall > 0.001),
      ),
    );
    bridge.push({ ...run, sameToken: run.mismatches === 0 });
  }
  return {
    ...pair(bridge, io),
    sameIo: spread(io2.map((r) => r.rate)),
    sameIoRatio: spread(bridge.map((r, i) => r.rate / io2[i].rate)),
    sameIoCpu: cpuSpread(io2),
    rcCallsPerCall: spread(rcCalls),
    mintsPerCall: spread(mints),
    sameTokenEveryCall: bridge.every((r) => r.sameToken),
    /** MongoDB commands per warm call, by command (from the bridge's own metrics), last round. */
    mongoCommandsPerCall: mongoPerCall.at(-1),
  };
}

/**
 * A login storm (POST /login from many connections) while visitors open the login page at a
 * steady rate: the bridge's event-loop delay (its own p99 gauge, reset by the scrape just before)
 * and the page's p99 latency.
 */
export async function loginStorm(ctx, m) {
  const form = await ctx.loginForm();
  await ctx.quiet();
  await ctx.scrape(); // resets the event-loop histogram
  const [storm, page] = await Promise.all([
    load({
      ...form,
      connections: m.stormConnections,
      duration: m.stormDuration,
      ok: (status) => status === 303,
    }),
    load({
      url: `${ctx.bridgeUrl}${LOGIN_PAGE}`,
      headers: { 'accept-language': 'en' },
      connections: 2,
      overallRate: m.stormPageRate,
      duration: m.stormDuration,
    }),
  ]);
  const metrics = await ctx.scrape();
  return {
    logins: storm.rate,
    loginFailures: storm.bad,
    loopP99Ms: metricValue(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metricValue(metrics, 'nodejs_eventloop_lag_max_seconds') * 1000,
    pageP99Ms: page.p99,
    pageP50Ms: page.p50,
    pageRequests: page.good,
    pageFailures: page.bad,
  };
}

/**
 * The bridge's RSS before and after each run of `m.rssRequests` requests: half `GET /login`, half
 * warm API URL calls, in chunks of `m.apiChunk` with a fresh session each.
 */
export async function memory(ctx, m) {
  const sample = async (after) => ({
    after,
    rss: rssMiB(ctx.bridgePid),
    ...rssPartsMiB(ctx.bridgePid),
    heapMiB:
      (metricValue(await ctx.scrape(), 'nodejs_heap_size_used_bytes') ?? NaN) /
      2 ** 20,
  });
  const samples = [await sample(0)];
  let total = 0;
  let failed = 0;
  for (let run = 0; run < m.rssRuns; run += 1) {
    const page = await load({
      url: `${ctx.bridgeUrl}${LOGIN_PAGE}`,
      headers: { 'accept-language': 'en' },
      connections: m.connections,
      amount: Math.ceil(m.rssRequests / 2),
    });
    total += page.good + page.bad;
    failed += page.bad;
    for (let left = Math.floor(m.rssRequests / 2); left > 0;) {
      const amount = Math.min(left, m.apiChunk);
      const warm = await ctx.warmApiCall();
      const api = await load({
        ...warm.request,
        connections: m.connections,
        amount,
      });
      total += api.good + api.bad;
      failed += api.bad;
      left -= amount;
    }
    await sleep(1000);
    samples.push(await sample(total));
  }
  return { samples, failed };
}

function pair(bridge, baseline) {
  return {
    bridge: spread(bridge.map((r) => r.rate)),
    baseline: spread(baseline.map((r) => r.rate)),
    ratio: spread(bridge.map((r, i) => r.rate / baseline[i].rate)),
    bridgeP99: spread(bridge.map((r) => r.p99)),
    bridgeCpu: cpuSpread(bridge),
    baselineCpu: cpuSpread(baseline),
    failed: bridge.reduce((sum, r) => sum + r.bad, 0),
  };
}

/** Per watched process: spreads of CPU µs per request and cores busy over the runs. */
function cpuSpread(runs) {
  const out = {};
  for (const name of Object.keys(runs[0]?.cpu ?? {})) {
    out[name] = {
      usPerRequest: spread(runs.map((r) => r.cpu[name].usPerRequest)),
      cores: spread(runs.map((r) => r.cpu[name].cores)),
      systemShare: spread(runs.map((r) => r.cpu[name].systemShare)),
    };
  }
  return out;
}

/** `rcbridge_mongodb_command_duration_seconds_count` by command, from a metrics scrape. */
function mongoCommands(text) {
  const counts = {};
  const pattern =
    /^rcbridge_mongodb_command_duration_seconds_count\{([^}]*)\} (\S+)$/gm;
  for (const match of text.matchAll(pattern)) {
    const command = /command="([^"]*)"/.exec(match[1])?.[1] ?? 'other';
    counts[command] = (counts[command] ?? 0) + Number(match[2]);
  }
  return counts;
}
