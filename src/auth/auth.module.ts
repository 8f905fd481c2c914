import { Module } from '@nestjs/common';

/** Bridge users, credential checks and the login page. */
@Module({})
export class AuthModule {}
