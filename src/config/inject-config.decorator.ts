import { Inject } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import type { ConfigNamespace } from './configuration.js';

/** Injects one typed namespace: `@InjectConfig('mongo') private readonly mongo: MongoConfig`. */
export const InjectConfig = (
  namespace: ConfigNamespace,
): ParameterDecorator & PropertyDecorator => Inject(getConfigToken(namespace));
