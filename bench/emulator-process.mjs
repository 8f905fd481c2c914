// The Rocket.Chat emulator (compiled by bench/run.mjs into .cache/) in a process of its own, with an
// admin account whose personal access token the bridge uses. Its control API answers over HTTP
// (`POST /__emulator/rpc/<method>`), so the benchmark can read the call log.
//
//   node bench/emulator-process.mjs <entryUrl> <mongoUri> <createTokensSecret>
// Prints one JSON line {url, userId, pat}; exits when stdin closes or on SIGTERM.
const [entryUrl, mongoUri, secret] = process.argv.slice(2);
const { startRocketChatEmulator } = await import(entryUrl);
const rc = await startRocketChatEmulator({
  mongoUri,
  host: '127.0.0.1',
  version: '8.0.0',
  env: { CREATE_TOKENS_FOR_USERS_SECRET: secret },
});
const admin = await rc.control.createAdmin({ username: 'bench-admin' });
process.stdout.write(
  `${JSON.stringify({ url: rc.url, userId: admin.userId, pat: admin.pat })}\n`,
);

async function stop() {
  await rc.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
