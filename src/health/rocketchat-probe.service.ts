import { Injectable } from '@nestjs/common';

/** `unknown`: not asked yet, or the first answer is still on its way. */
export type ComponentStatus = 'up' | 'down' | 'unknown';

/** Whether Rocket.Chat answers and accepts the bridge's credentials (filled in with its client). */
@Injectable()
export class RocketChatProbe {
  status(): Promise<ComponentStatus> {
    return Promise.resolve('unknown');
  }
}
