import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.service.js';

/** Password hashing (argon2id) and verification of stored and imported (Django) hashes. */
@Module({
  providers: [PasswordHasher],
  exports: [PasswordHasher],
})
export class PasswordsModule {}
