export { BoundedMemo } from './bounded-memo.js';
export { Clock } from './clock.js';
export { ClockModule } from './clock.module.js';
export { randomToken } from './random-pool.js';
export { DurationSamples, sleep } from './duration-samples.js';
export { AesGcm } from './aes-gcm.js';
