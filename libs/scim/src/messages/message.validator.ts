import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isPlainObject } from '../resource/json-value.js';
import { InvalidSyntaxError, InvalidValueError } from '../scim-error.js';

/**
 * Put on a constraint whose failure means a well-formed message carries an unacceptable value
 * (`{ context: INVALID_VALUE }`): it becomes invalidValue instead of invalidSyntax (RFC 7644 §3.12).
 */
export const INVALID_VALUE = { scimType: 'invalidValue' } as const;

/**
 * Turns a request body into an instance of a message class and validates it with class-validator. A failure is
 * invalidSyntax (the body does not conform to the message schema, RFC 7644 §3.12), or invalidValue when every
 * failing constraint is marked INVALID_VALUE; the detail lists each problem with its path, e.g.
 * `Operations[0].op: must be "add", "remove" or "replace"`.
 */
export function validateMessage<Message extends object>(messageClass: new () => Message, body: unknown): Message {
  if (!isPlainObject(body)) throw new InvalidSyntaxError('the request body must be a JSON object');
  const message = plainToInstance(messageClass, body);
  const errors = validateSync(message, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length === 0) return message;

  const problems = errors.flatMap((error) => problemsOf(error, ''));
  const detail = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  throw problems.every((problem) => problem.invalidValue) ? new InvalidValueError(detail) : new InvalidSyntaxError(detail);
}

interface Problem {
  readonly path: string;
  readonly message: string;
  readonly invalidValue: boolean;
}

function problemsOf(error: ValidationError, parentPath: string): Problem[] {
  const isIndex = /^\d+$/.test(error.property);
  const path = isIndex ? `${parentPath}[${error.property}]` : parentPath ? `${parentPath}.${error.property}` : error.property;
  const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
    path,
    message,
    invalidValue: error.contexts?.[name]?.scimType === 'invalidValue',
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => problemsOf(child, path))];
}
