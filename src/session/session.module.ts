import { Module } from '@nestjs/common';

/** Server-side sessions, their cookie, and the logout event. Knows nothing of Rocket.Chat. */
@Module({})
export class SessionModule {}
