import { InvalidPathError } from '../scim-error.js';
import { parsePatchPath, type PatchPath } from './patch-path.parser.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('parsePatchPath', () => {
  it.each<[title: string, path: string, expected: PatchPath]>([
    ['RFC 7644 §3.5.2 example: members', 'members', { attribute: { attribute: 'members' } }],
    ['RFC 7644 §3.5.2 example: name.familyName', 'name.familyName', { attribute: { attribute: 'name', subAttribute: 'familyName' } }],
    ['RFC 7644 §3.5.2 example: addresses[type eq "work"]', 'addresses[type eq "work"]',
      { attribute: { attribute: 'addresses' }, valueFilter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' } }],
    ['RFC 7644 §3.5.2 example: members[value eq "..."].displayName', 'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
      { attribute: { attribute: 'members', subAttribute: 'displayName' },
        valueFilter: { kind: 'compare', path: { attribute: 'value' }, op: 'eq', value: '2819c223-7f76-453a-919d-413861904646' } }],
    ['RFC 7644 §3.5.2.2 example: emails[type eq "work" and value ew "example.com"]', 'emails[type eq "work" and value ew "example.com"]',
      { attribute: { attribute: 'emails' }, valueFilter: { kind: 'and',
        left: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'compare', path: { attribute: 'value' }, op: 'ew', value: 'example.com' } } }],
    ['ENTRA.md: emails[type eq "work"].value', 'emails[type eq "work"].value',
      { attribute: { attribute: 'emails', subAttribute: 'value' }, valueFilter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' } }],
    ['ENTRA.md: URN-qualified extension attribute', `${ENTERPRISE}:employeeNumber`, { attribute: { uri: ENTERPRISE, attribute: 'employeeNumber' } }],
    ['URN-qualified value path', 'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value',
      { attribute: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'emails', subAttribute: 'value' },
        valueFilter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' } }],
  ])('%s', (_title, text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it.each<[title: string, path: string, detail: string]>([
    ['a filter is not a path', 'userName eq "x"', `invalid PATCH path: expected "[" or the end of the path at position 9 in 'userName eq "x"'`],
    ['unclosed bracket', 'emails[type eq "work"', `invalid PATCH path: expected "and", "or" or "]" at position 21 in 'emails[type eq "work"'`],
    ['text after the sub-attribute', 'emails[type eq "work"].value x', `invalid PATCH path: expected "." and a sub-attribute, or the end of the path at position 29 in 'emails[type eq "work"].value x'`],
    ['a bracket after a sub-attribute', 'name.givenName[x eq 1]', `invalid PATCH path: expected "[" or the end of the path at position 14 in 'name.givenName[x eq 1]'`],
    ['empty', '', `invalid PATCH path: expected an attribute path at position 0 in ''`],
  ])('invalidPath: %s', (_title, text, detail) => {
    expect(() => parsePatchPath(text)).toThrow(InvalidPathError);
    expect(() => parsePatchPath(text)).toThrow(expect.objectContaining({ scimType: 'invalidPath', detail }));
  });
});
