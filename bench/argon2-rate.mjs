// The raw argon2id verify rate on this machine: `concurrency` verifications kept in flight for
// `seconds`, with the bridge's default costs (or the ARGON2_* given), through the same library and
// thread pool the bridge uses. Prints one JSON line {verifies, seconds, rate}.
//
//   node bench/argon2-rate.mjs <seconds> <concurrency> [memoryKiB timeCost parallelism]
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

const [seconds, concurrency, memoryKiB, timeCost, parallelism] = process.argv
  .slice(2)
  .map(Number);
const password = 'correct horse battery staple';
const encoded = await hash(password, {
  memoryCost: memoryKiB || 19_456,
  timeCost: timeCost || 2,
  parallelism: parallelism || 1,
  outputLen: 32,
  salt: randomBytes(16),
});
// Warm-up: the thread pool's threads and the first allocations.
await Promise.all(
  Array.from({ length: concurrency }, () => verify(encoded, password)),
);

let verifies = 0;
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));
async function loop() {
  while (process.hrtime.bigint() < deadline) {
    if (!(await verify(encoded, password))) {
      throw new Error('argon2 verify failed');
    }
    verifies += 1;
  }
}
await Promise.all(Array.from({ length: concurrency }, loop));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    verifies,
    seconds: elapsed,
    rate: verifies / elapsed,
    cpuUsPerVerify: (cpu.user + cpu.system) / verifies,
    cores: (cpu.user + cpu.system) / 1e6 / elapsed,
    systemShare: cpu.system / (cpu.user + cpu.system),
  })}\n`,
);
