import { ValidateBy } from 'class-validator';

/**
 * Every element of an `Operations` array must be a JSON object. ValidateNested alone lets an element that is
 * itself an array through (`[]` holds nothing to validate), and the handlers would then read members it lacks.
 * A value that is not an array is left to IsArray, so its message stays the only one.
 */
export function OperationsAreObjects(): PropertyDecorator {
  return ValidateBy({
    name: 'operationsAreObjects',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || value.every((element) => typeof element === 'object' && element !== null && !Array.isArray(element)),
      defaultMessage: () => 'each operation must be a JSON object',
    },
  });
}
