import { InvalidSyntaxError, InvalidValueError } from '../scim-error.js';
import { assertStorableText, checkJsonInput, unstorableCharacterIn } from './json-input.js';

const LIMITS = { maxDepth: 32, maxStringLength: 16 };

/** Issue 12: any JSON a client sends is checked iteratively, before any other work. */
describe('checkJsonInput', () => {
  const failure = (value: unknown) => {
    try {
      checkJsonInput(value, LIMITS, 'the request body');
    } catch (error) {
      return error as Error & { detail: string };
    }
    throw new Error('expected a refusal');
  };

  it('refuses nesting 100,000 deep with invalidSyntax, without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const error = failure({ Operations: [{ value: deep }] });
    expect(error).toBeInstanceOf(InvalidSyntaxError);
    expect(error.detail).toMatch(/^Operations\[0\]\.value(\[0\]){29} in the request body is nested 33 levels deep .*at most 32/);
  });

  it('admits exactly the limit: the body itself is level 1', () => {
    let value: unknown = 'x';
    for (let level = 0; level < 32; level++) value = { a: value };
    expect(() => checkJsonInput(value, LIMITS, 'the request body')).not.toThrow();
    expect(failure({ a: value })).toBeInstanceOf(InvalidSyntaxError);
  });

  it('counts a value decoded inside a body at the level where it sits (a PATCH value sent as a JSON-encoded string)', () => {
    let value: unknown = 'x';
    for (let level = 0; level < 29; level++) value = { a: value };
    expect(() => checkJsonInput(value, LIMITS, 'Operations[0].value', 4)).not.toThrow();
    expect(() => checkJsonInput({ a: value }, LIMITS, 'Operations[0].value', 4)).toThrow(
      expect.objectContaining({ detail: expect.stringMatching(/ in Operations\[0\]\.value is nested 33 levels deep \(objects and arrays\); at most 32 are allowed$/) }),
    );
  });

  it.each([
    ['a long string', { title: 'x'.repeat(17) }, /^the string at title in the request body is 17 characters long; at most 16/],
    ['a long key', { ['k'.repeat(17)]: 1 }, /^the name of k{17} in the request body is 17 characters long/],
    ['NUL in a string', { emails: [{ value: 'a\u0000b' }] }, /^the string at emails\[0\]\.value in the request body holds a NUL character \(U\+0000\) at position 1/],
    ['NUL in a key (escaped in the detail, which must be storable too)', { 'nick\u0000': 1 }, /^the name of nick\\u0000 in the request body holds a NUL character/],
    ['a lone surrogate', ['ok', 'x\ud800'], /^the string at \[1\] in the request body holds a lone surrogate \(U\+D800\)/],
  ])('refuses %s with invalidValue naming the place', (_title, value, detail) => {
    const error = failure(value);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.detail).toMatch(detail);
  });

  it('treats prototype-shaped keys as the data they are', () => {
    expect(() => checkJsonInput(JSON.parse('{"__proto__":{"constructor":{"prototype":"x"}}}'), LIMITS, 'the request body')).not.toThrow();
    expect(failure(JSON.parse('{"__proto__":{"x":"\\u0000"}}')).detail).toMatch(/^the string at __proto__\.x/);
  });

  it('accepts surrogate pairs, and names a bad value given on its own', () => {
    expect(unstorableCharacterIn('\u{1F600} ok')).toBeUndefined();
    expect(() => assertStorableText('a\u0000', 'the URL path')).toThrow(/^the URL path holds a NUL character/);
  });
});
