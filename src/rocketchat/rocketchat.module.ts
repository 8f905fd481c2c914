import { Module } from '@nestjs/common';

/** The API URL, Rocket.Chat REST client, provisioning and token lifecycle. */
@Module({})
export class RocketChatModule {}
