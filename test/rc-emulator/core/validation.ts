/** The JSON-schema subset Rocket.Chat's rest-typings use for these endpoints. */
export type Schema =
  | {
      type: 'object';
      properties?: Record<string, Schema>;
      required?: string[];
      additionalProperties?: boolean;
      oneOf?: Schema[];
      anyOf?: Schema[];
      nullable?: boolean;
    }
  | { type: 'string'; minLength?: number; nullable?: boolean }
  | { type: 'boolean'; nullable?: boolean }
  | { type: 'number'; nullable?: boolean }
  | { type: 'array'; items?: Schema; nullable?: boolean };

function typeOk(schema: Schema, value: unknown): boolean {
  if (value === null) {
    return schema.nullable === true;
  }
  if (schema.type === 'object') {
    return typeof value === 'object' && !Array.isArray(value);
  }
  if (schema.type === 'array') {
    return Array.isArray(value);
  }
  if (schema.type === 'number') {
    return typeof value === 'number' && Number.isFinite(value);
  }
  return typeof value === schema.type;
}

/**
 * Validates like ajv (allErrors off): returns the first error message in ajv's wording
 * (`must have required property 'email'`, `must NOT have additional properties`...), or null.
 */
export function validate(schema: Schema, value: unknown): string | null {
  if (!typeOk(schema, value)) {
    return `must be ${schema.type}`;
  }
  if (value === null) {
    return null;
  }
  if (schema.type === 'string' && schema.minLength !== undefined) {
    if ((value as string).length < schema.minLength) {
      return `must NOT have fewer than ${schema.minLength} characters`;
    }
  }
  if (schema.type === 'array' && schema.items) {
    for (const item of value as unknown[]) {
      const error = validate(schema.items, item);
      if (error) {
        return error;
      }
    }
  }
  if (schema.type !== 'object') {
    return null;
  }
  const object = value as Record<string, unknown>;
  for (const key of schema.required ?? []) {
    if (!(key in object)) {
      return `must have required property '${key}'`;
    }
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter(
      (s) => validate(s, value) === null,
    ).length;
    if (passing !== 1) {
      return 'must match exactly one schema in oneOf';
    }
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value) === null)) {
    return 'must match a schema in anyOf';
  }
  const properties = schema.properties ?? {};
  if (schema.additionalProperties === false) {
    if (Object.keys(object).some((key) => !(key in properties))) {
      return 'must NOT have additional properties';
    }
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (key in object && object[key] !== undefined) {
      const error = validate(propertySchema, object[key]);
      if (error) {
        return error;
      }
    }
  }
  return null;
}

export const str = (
  extra: { minLength?: number; nullable?: boolean } = {},
): Schema => ({
  type: 'string',
  ...extra,
});
export const bool = (nullable = true): Schema => ({
  type: 'boolean',
  nullable,
});
export const obj = (
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: { additionalProperties?: boolean; oneOf?: Schema[] } = {},
): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: extra.additionalProperties ?? false,
  ...(extra.oneOf ? { oneOf: extra.oneOf } : {}),
});
