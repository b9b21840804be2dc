import { describe, expect, it } from '@jest/globals';
import { cloneJson, getOwn, jsonEqual } from './json-value.js';

describe('cloneJson', () => {
  it('copies every level: changing the copy leaves the original as it was', () => {
    const original = { userName: 'ann', emails: [{ type: 'work', value: 'a@x' }], name: { givenName: 'Ann' }, active: true, n: 1, none: null };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    copy.emails[0].value = 'b@x';
    copy.name.givenName = 'Bob';
    copy.emails.push({ type: 'home', value: 'c@x' });
    expect(original).toEqual({ userName: 'ann', emails: [{ type: 'work', value: 'a@x' }], name: { givenName: 'Ann' }, active: true, n: 1, none: null });
  });

  it('keeps a client\'s "__proto__" key as data, never as the prototype', () => {
    const original = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}') as { a: Record<string, unknown> };
    const copy = cloneJson(original);
    // An Object.prototype (of whichever realm made the copy), not the client's object.
    expect(Object.getPrototypeOf(Object.getPrototypeOf(copy.a))).toBeNull();
    expect((copy.a as { polluted?: unknown }).polluted).toBeUndefined();
    expect(getOwn(copy.a, '__proto__')).toEqual({ polluted: true });
    expect(jsonEqual(copy, original)).toBe(true);
  });

  it('keeps primitives, undefined members and array holes as they are', () => {
    expect(cloneJson(undefined)).toBeUndefined();
    expect(cloneJson('x')).toBe('x');
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const copied = cloneJson(sparse);
    expect(copied).toHaveLength(3);
    expect(1 in copied).toBe(false);
    expect(cloneJson({ a: undefined })).toEqual({ a: undefined });
    expect(Object.keys(cloneJson({ a: undefined }))).toEqual(['a']);
  });
});
