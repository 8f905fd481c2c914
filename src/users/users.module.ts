import { Module } from '@nestjs/common';
import { prefixedModels } from '../database/index.js';
import { PasswordsModule } from './passwords/passwords.module.js';
import { CredentialsService } from './credentials.service.js';
import { DjangoImportService } from './import/django-import.service.js';
import { USER_COLLECTION, USER_MODEL, UserSchema } from './user.schema.js';
import { UserAdminService } from './user-admin.service.js';
import { UsersRepository } from './users.repository.js';
import { UserIdentitiesRepository } from './user-identities.repository.js';

/** Bridge users: the collection, the credential check, administration and the Django import. */
@Module({
  imports: [
    prefixedModels([
      { name: USER_MODEL, schema: UserSchema, collection: USER_COLLECTION },
    ]),
    PasswordsModule,
  ],
  providers: [
    UsersRepository,
    UserIdentitiesRepository,
    CredentialsService,
    UserAdminService,
    DjangoImportService,
  ],
  exports: [
    UsersRepository,
    UserIdentitiesRepository,
    CredentialsService,
    UserAdminService,
    DjangoImportService,
  ],
})
export class UsersModule {}
