import { InvalidSyntaxError, InvalidValueError } from '../scim-error.js';

/** Bounds on any JSON a client sends (docs/operations.md "Limits"). */
export interface JsonInputLimits {
  /** Objects and arrays nested in each other; the body itself is level 1. */
  readonly maxDepth: number;
  /** Characters (UTF-16 code units) of any one string, keys included. */
  readonly maxStringLength: number;
}

/**
 * NUL (U+0000) or a lone surrogate (U+D800 to U+DFFF without its pair). PostgreSQL's text and jsonb cannot store
 * NUL, and a lone surrogate has no UTF-8 form (RFC 8259 §8.1 requires UTF-8), so neither can be stored faithfully:
 * the gateway refuses both at the edge rather than alter what it was sent.
 */
const UNSTORABLE_CHARACTER = /\u0000|\p{Cs}/u;

/** What is wrong with `text` (`a NUL character (U+0000) at position 3`), or undefined when it can be stored. */
export function unstorableCharacterIn(text: string): string | undefined {
  const match = UNSTORABLE_CHARACTER.exec(text);
  if (match === null) return undefined;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `${code === '0000' ? 'a NUL character' : 'a lone surrogate'} (U+${code}) at position ${match.index}`;
}

/** `text` with NUL and lone surrogates written as `\u0000` escapes: an error detail must itself be storable (the provisioning log keeps it). */
export function escapeUnstorable(text: string): string {
  return text.replace(/\u0000|\p{Cs}/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Refuses a text holding NUL or a lone surrogate: 400 invalidValue naming `where` (e.g. `query parameter filter`). */
export function assertStorableText(text: string, where: string): void {
  const problem = unstorableCharacterIn(text);
  if (problem !== undefined) throw new InvalidValueError(`${where} holds ${problem}; such characters cannot be stored and are refused`);
}

/**
 * Checks a parsed JSON value before any other work: nesting (400 invalidSyntax), string length and unstorable
 * characters in keys and strings (400 invalidValue), each detail naming the place (`Operations[0].value.a`) and
 * the limit. Iterative, with an explicit stack: a body nested 100,000 deep costs a loop, never the call stack.
 * `where` names the value itself (`the request body`, `query parameters`); `depth` is the level the value sits at
 * (1 for a body; more for a value decoded from a string inside one, which counts as nested where it sits).
 */
export function checkJsonInput(value: unknown, limits: JsonInputLimits, where: string, depth = 1): void {
  interface Entry {
    readonly value: unknown;
    readonly depth: number;
    readonly parent: Entry | undefined;
    readonly key: string | number | undefined;
  }
  const place = (entry: Entry | undefined, key?: string | number): string => {
    const parts: string[] = [];
    const part = (name: string | number) => (typeof name === 'number' ? `[${name}]` : `.${escapeUnstorable(name)}`);
    if (key !== undefined) parts.push(part(key));
    for (let at = entry; at?.key !== undefined; at = at.parent) parts.push(part(at.key));
    const path = parts.reverse().join('').replace(/^\./, '');
    return path === '' ? where : `${path} in ${where}`;
  };
  const checkString = (text: string, entry: Entry | undefined, key: string | number | undefined, what: string): void => {
    if (text.length > limits.maxStringLength) {
      throw new InvalidValueError(`${what} ${place(entry, key)} is ${text.length} characters long; at most ${limits.maxStringLength} are allowed`);
    }
    const problem = unstorableCharacterIn(text);
    if (problem !== undefined) throw new InvalidValueError(`${what} ${place(entry, key)} holds ${problem}; such characters cannot be stored and are refused`);
  };

  const stack: Entry[] = [{ value, depth, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (typeof entry.value === 'string') {
      checkString(entry.value, entry.parent, entry.key, 'the string at');
      continue;
    }
    if (typeof entry.value !== 'object' || entry.value === null) continue;
    if (entry.depth > limits.maxDepth) {
      throw new InvalidSyntaxError(`${place(entry)} is nested ${entry.depth} levels deep (objects and arrays); at most ${limits.maxDepth} are allowed`);
    }
    if (Array.isArray(entry.value)) {
      entry.value.forEach((element, index) => stack.push({ value: element, depth: entry.depth + 1, parent: entry, key: index }));
      continue;
    }
    for (const [key, element] of Object.entries(entry.value)) {
      checkString(key, entry, key, 'the name of');
      stack.push({ value: element, depth: entry.depth + 1, parent: entry, key });
    }
  }
}
