import { unstorableCharacterIn } from '../resource/json-input.js';
import { InvalidFilterError } from '../scim-error.js';

/**
 * Tokens of the RFC 7644 §3.4.2.2 filter grammar. Words are maximal runs of characters other than whitespace,
 * brackets, parentheses and double quotes; the parser decides from context whether a word is an attribute path,
 * an operator, a keyword or an unquoted value (Entra's `externalId eq jyoung`). Keeping URNs such as
 * `urn:ietf:params:scim:schemas:core:2.0:User:userName` in one word is what lets the dots of `2.0` pass.
 */
export type FilterToken =
  | { readonly kind: 'word'; readonly text: string; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly position: number }
  | { readonly kind: '(' | ')' | '[' | ']'; readonly position: number }
  | { readonly kind: 'end'; readonly position: number };

const PUNCTUATION = new Set(['(', ')', '[', ']']);
const WORD_BREAKERS = new Set(['(', ')', '[', ']', '"']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** The detail of every filter syntax error: what was expected and where (0-based), quoting the filter. */
export function filterSyntaxError(expectation: string, position: number, text: string): InvalidFilterError {
  return new InvalidFilterError(`expected ${expectation} at position ${position} in '${text}'`);
}

export function tokenizeFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (/\s/.test(character)) {
      index += 1;
    } else if (PUNCTUATION.has(character)) {
      tokens.push({ kind: character as '(' | ')' | '[' | ']', position: index });
      index += 1;
    } else if (character === '"') {
      const { value, end } = readString(text, index);
      tokens.push({ kind: 'string', value, position: index });
      index = end;
    } else {
      const start = index;
      while (index < text.length && !/\s/.test(text[index]) && !WORD_BREAKERS.has(text[index])) index += 1;
      tokens.push({ kind: 'word', text: text.slice(start, index), position: start });
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

/** A JSON string (RFC 7644 §3.4.2.2 compValue `string`, RFC 8259 §7), starting at the opening quote. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const character = text[index];
    if (character === '"') {
      // A `\u0000` or `\ud800` escape makes a value no attribute can hold (json-input.ts).
      const problem = unstorableCharacterIn(value);
      if (problem !== undefined) throw new InvalidFilterError(`the string at position ${start} in '${text}' holds ${problem} of its value; such characters are refused`);
      return { value, end: index + 1 };
    }
    if (character !== '\\') {
      value += character;
      index += 1;
      continue;
    }
    const escape = text[index + 1];
    if (escape !== undefined && Object.hasOwn(SIMPLE_ESCAPES, escape)) {
      value += SIMPLE_ESCAPES[escape];
      index += 2;
    } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
      value += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
      index += 6;
    } else {
      throw filterSyntaxError('a JSON escape sequence (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', index, text);
    }
  }
  throw filterSyntaxError(`a closing '"' for the string opened at position ${start}`, text.length, text);
}
