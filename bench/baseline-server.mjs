// The bare-Fastify baselines the bridge is compared with, run as their own process (like the
// bridge) so neither shares an event loop with the load generator:
//   GET /hello  a constant text answer (the floor for `GET /login`)
//   GET /page   a copy of the bridge's `GET /login` answer, bytes and headers (PUT /page sets it)
//   POST /io    the I/O the target names: one MongoDB lookup by _id and one keep-alive HTTP call
//               to the Rocket.Chat emulator, answered with a small JSON body
//   POST /io2   the I/O the bridge's warm path really does: two MongoDB lookups by _id (the
//               session, then its token), no Rocket.Chat call
//
//   node bench/baseline-server.mjs <mongoUri> <emulatorUrl>
// Prints `listening <port>` once ready; exits when stdin closes (its parent died) or on SIGTERM.
import { Agent, request } from 'node:http';
import Fastify from 'fastify';
import { MongoClient } from 'mongodb';

const [mongoUri, emulatorUrl] = process.argv.slice(2);
const client = await new MongoClient(mongoUri, {
  serverSelectionTimeoutMS: 10_000,
}).connect();
// Documents of the bridge's real shapes and sizes (a session record, its token record): the same
// I/O means the same documents, and FerretDB's cost grows with every field it decodes.
const now = new Date();
const later = new Date(now.getTime() + 3600_000);
const sessions = client.db().collection('baseline_sessions');
await sessions.replaceOne(
  { _id: 'bench-session' },
  {
    _id: 'bench-session',
    tokenHash: 'h'.repeat(43),
    userId: 'u'.repeat(24),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: later,
    absoluteExpiresAt: later,
    interactionRequired: false,
  },
  { upsert: true },
);
const tokens = client.db().collection('baseline_tokens');
await tokens.replaceOne(
  { _id: 'bench-session' },
  {
    _id: 'bench-session',
    bridgeUserId: 'u'.repeat(24),
    state: 'issued',
    rcUserId: 'r'.repeat(17),
    strategy: 'rest',
    sealedToken: 'x'.repeat(110),
    hashedToken: 'y'.repeat(44),
    issuedAt: now,
    deliveredAt: now,
    deliveredTo: 'api',
    createdAt: now,
  },
  { upsert: true },
);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const info = new URL('/api/info', emulatorUrl);

function callEmulator() {
  return new Promise((resolve, reject) => {
    const req = request(info, { agent, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode === 200) {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } else {
          reject(new Error(`emulator answered ${res.statusCode}`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const app = Fastify({ logger: false });
app.get('/hello', (_request, reply) => reply.send('hello'));
// A copy of the bridge's login page (its bytes and headers, set once by the benchmark): what
// serving the page costs Fastify without any of the bridge's work.
let pageCopy = { headers: {}, body: '' };
app.put('/page', (incoming, reply) => {
  pageCopy = incoming.body;
  return reply.code(204).send();
});
app.get('/page', (_request, reply) =>
  reply.headers(pageCopy.headers).send(pageCopy.body),
);
app.post('/io', async (_request, reply) => {
  const session = await sessions.findOne({ _id: 'bench-session' });
  if (!session) {
    return reply.code(401).send();
  }
  const answer = await callEmulator();
  return { loginToken: String(answer.success ?? session.userId) };
});

app.post('/io2', async (_request, reply) => {
  const session = await sessions.findOne({ _id: 'bench-session' });
  const token = session && (await tokens.findOne({ _id: 'bench-session' }));
  if (!token) {
    return reply.code(401).send();
  }
  return { loginToken: token.sealedToken };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${new URL(address).port}\n`);

async function stop() {
  await app.close();
  await client.close();
  agent.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
