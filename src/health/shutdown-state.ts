import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Set once shutdown begins: responses then ask clients to drop keep-alive sockets. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
