import { describe, expect, it } from '@jest/globals';
import { canonical, describeChange, describeValue, diff } from './diff.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('diff of two resource states', () => {
  it('finds nothing between equal states, whatever the key order', () => {
    expect(diff({ a: 1, name: { givenName: 'Ann', familyName: 'Smith' } }, { name: { familyName: 'Smith', givenName: 'Ann' }, a: 1 })).toEqual({ changes: [], total: 0 });
  });

  it('lists changed, added and removed attributes with old and new values', () => {
    const result = diff({ userName: 'ann', active: true, title: 'Engineer' }, { userName: 'ann', active: false, displayName: 'Ann Smith' });
    expect(result.changes).toEqual([
      { kind: 'changed', path: 'active', before: true, after: false },
      { kind: 'removed', path: 'title', before: 'Engineer' },
      { kind: 'added', path: 'displayName', after: 'Ann Smith' },
    ]);
    expect(result.total).toBe(3);
    expect(result.changes.map(describeChange)).toEqual(['active: true → false', 'title removed (was "Engineer")', 'displayName added: "Ann Smith"']);
  });

  it('walks nested objects, and an extension’s attributes after its URN and a colon', () => {
    const before = { name: { givenName: 'Ann', familyName: 'Smith' }, [ENTERPRISE]: { department: 'R&D', manager: { value: 'm-1' } } };
    const after = { name: { givenName: 'Anne', familyName: 'Smith' }, [ENTERPRISE]: { department: 'R&D', manager: { value: 'm-2' } } };
    expect(diff(before, after).changes).toEqual([
      { kind: 'changed', path: 'name.givenName', before: 'Ann', after: 'Anne' },
      { kind: 'changed', path: `${ENTERPRISE}:manager.value`, before: 'm-1', after: 'm-2' },
    ]);
  });

  it('lists each attribute of a resource that appears (a create) under its own path', () => {
    expect(diff(undefined, { userName: 'ann', name: { givenName: 'Ann' }, emails: [{ value: 'ann@contoso.com', type: 'work' }] }).changes).toEqual([
      { kind: 'added', path: 'userName', after: 'ann' },
      { kind: 'added', path: 'name.givenName', after: 'Ann' },
      { kind: 'added', path: 'emails[value eq "ann@contoso.com"]', after: { value: 'ann@contoso.com', type: 'work' } },
    ]);
  });

  it('matches the items of a multi-valued attribute by value: emails added, removed, and an item’s own change', () => {
    const before = { emails: [{ value: 'ann@contoso.com', type: 'work', primary: true }, { value: 'ann@home.example', type: 'home' }] };
    const after = { emails: [{ value: 'ann.smith@contoso.com', type: 'work', primary: true }, { value: 'ann@home.example', type: 'home', primary: false }] };
    expect(diff(before, after).changes).toEqual([
      { kind: 'removed', path: 'emails[value eq "ann@contoso.com"]', before: before.emails[0] },
      { kind: 'added', path: 'emails[value eq "ann@home.example"].primary', after: false },
      { kind: 'added', path: 'emails[value eq "ann.smith@contoso.com"]', after: after.emails[0] },
    ]);
  });

  it('a reordered multi-valued attribute is no change', () => {
    const a = { value: 'u-1', type: 'User' };
    const b = { value: 'u-2', type: 'User' };
    expect(diff({ members: [a, b] }, { members: [b, a] }).total).toBe(0);
  });

  it('matches by type when there is no value (addresses), and compares whole items when neither is a key', () => {
    expect(diff({ addresses: [{ type: 'work', locality: 'Paris' }] }, { addresses: [{ type: 'work', locality: 'Lyon' }] }).changes).toEqual([
      { kind: 'changed', path: 'addresses[type eq "work"].locality', before: 'Paris', after: 'Lyon' },
    ]);
    // Two items with the same type: no key; the unchanged one is not listed.
    const before = { addresses: [{ type: 'work', locality: 'Paris' }, { type: 'work', locality: 'Rome' }] };
    const after = { addresses: [{ type: 'work', locality: 'Rome' }, { type: 'work', locality: 'Oslo' }] };
    expect(diff(before, after).changes).toEqual([
      { kind: 'removed', path: 'addresses', before: { type: 'work', locality: 'Paris' } },
      { kind: 'added', path: 'addresses', after: { type: 'work', locality: 'Oslo' } },
    ]);
  });

  it('compares lists of plain values as sets with repeats (schemas)', () => {
    expect(diff({ schemas: ['core', 'core'] }, { schemas: ['core', 'enterprise'] }).changes).toEqual([
      { kind: 'removed', path: 'schemas', before: 'core' },
      { kind: 'added', path: 'schemas', after: 'enterprise' },
    ]);
  });

  it('a value that changes shape (a string becoming an object) is one change', () => {
    expect(diff({ manager: 'm-1' }, { manager: { value: 'm-1' } }).changes).toEqual([{ kind: 'changed', path: 'manager', before: 'm-1', after: { value: 'm-1' } }]);
    expect(diff('a', 'b').changes.map(describeChange)).toEqual(['(the value): "a" → "b"']);
  });

  it('keeps values that look like markup as they are: the page draws them as text', () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const result = diff({ displayName: 'Ann' }, { displayName: hostile });
    expect(result.changes[0]!.after).toBe(hostile);
    expect(describeChange(result.changes[0]!)).toBe(`displayName: "Ann" → ${JSON.stringify(hostile)}`);
  });

  it('keeps the first `limit` changes and counts them all: a 100,000-member replace', () => {
    const before = { members: Array.from({ length: 100_000 }, (_, i) => ({ value: `u-${i}` })) };
    const after = { members: Array.from({ length: 100_000 }, (_, i) => ({ value: `u-${i + 50_000}` })) };
    const result = diff(before, after, 10);
    expect(result.total).toBe(100_000);
    expect(result.changes).toHaveLength(10);
    expect(result.changes[0]).toEqual({ kind: 'removed', path: 'members[value eq "u-0"]', before: { value: 'u-0' } });
  });
});

describe('values as text', () => {
  it('quotes strings, writes others as JSON, says (none) for nothing, and cuts long values', () => {
    expect(describeValue('false')).toBe('"false"');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('(none)');
    expect(describeValue({ a: [1] })).toBe('{"a":[1]}');
    expect(describeValue('x'.repeat(1000), 20)).toBe(`"${'x'.repeat(18)}…`);
  });

  it('canonical JSON sorts keys and leaves out undefined ones', () => {
    expect(canonical({ b: 1, a: [{ d: 1, c: undefined }] })).toBe('{"a":[{"d":1}],"b":1}');
  });
});
