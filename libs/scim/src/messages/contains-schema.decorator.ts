import { ValidateBy, type ValidationOptions } from 'class-validator';

/** `schemas` must be an array of strings holding `urn`, compared case-insensitively (RFC 7644 §3.1, §3.10). */
export function ContainsSchema(urn: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'containsSchema',
      constraints: [urn],
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every((schema) => typeof schema === 'string') &&
          value.some((schema: string) => schema.toLowerCase() === urn.toLowerCase()),
        defaultMessage: () => `must be an array of schema URIs containing "${urn}"`,
      },
    },
    options,
  );
}
