import { Exclude, plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isPlainObject, setOwn, type JsonObject } from '../resource/json-value.js';
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
  const message = instanceOf(messageClass, body);
  completeMessage(message, body);
  const errors = validateSync(message, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length === 0) return message;

  const problems = errors.flatMap((error) => problemsOf(error, ''));
  const detail = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  throw problems.every((problem) => problem.invalidValue) ? new InvalidValueError(detail) : new InvalidSyntaxError(detail);
}

/**
 * class-transformer reads `value.constructor` of every nested object it converts, so an object that holds its own
 * `constructor` key where the message expects a scalar (`"count": {"constructor": "x"}`) makes it throw a TypeError.
 * No member of a message other than an opaque one (which it never walks) may hold such an object, so that is the
 * client's malformed message, answered as such.
 */
function instanceOf<Message extends object>(messageClass: new () => Message, body: JsonObject): Message {
  try {
    return plainToInstance(messageClass, body);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new InvalidSyntaxError(
      `the request body does not fit the ${messageClass.name} message: a member that must be a string, number or boolean holds an object with a "constructor" key`,
    );
  }
}

const opaqueMembersOf = new WeakMap<object, string[]>();

/**
 * Marks a member that holds any JSON (a PATCH operation's value, a Bulk operation's data): class-transformer does
 * not walk it (it would treat keys such as `constructor` as its own and recurse as deep as the client nests), and
 * validateMessage copies it over as sent, for the PATCH engine or the resource normaliser to check.
 */
export function OpaqueJson(): PropertyDecorator {
  return (target, property) => {
    Exclude({ toClassOnly: true })(target, property);
    const members = opaqueMembersOf.get(target.constructor) ?? [];
    opaqueMembersOf.set(target.constructor, [...members, String(property)]);
  };
}

/**
 * After plainToInstance: an optional member sent as null is absent (RFC 7643 §2.5: null is unassigned), and each
 * opaque member is copied as sent. Walks the message's own instances only (Operations[...]), never client JSON.
 */
function completeMessage(message: object, plain: JsonObject): void {
  const fields = message as JsonObject;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null) {
      delete fields[key];
    } else if (Array.isArray(value) && Array.isArray(plain[key])) {
      value.forEach((element, index) => {
        const source = (plain[key] as unknown[])[index];
        if (isMessageInstance(element) && isPlainObject(source)) completeMessage(element, source);
      });
    } else if (isMessageInstance(value) && isPlainObject(plain[key])) {
      completeMessage(value, plain[key]);
    }
  }
  for (const key of opaqueMembersOf.get(message.constructor) ?? []) {
    if (Object.hasOwn(plain, key)) setOwn(fields, key, plain[key]);
  }
}

/** An instance of a message class (plainToInstance makes plain objects of everything else). */
function isMessageInstance(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype;
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
