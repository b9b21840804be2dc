import { SchemaRegistry } from '../schema/schema.registry.js';
import { parseFilter } from './filter.parser.js';
import { restrictFilterToType } from './filter.restrict.js';

const registry = new SchemaRegistry();

describe('restrictFilterToType (RFC 7644 §3.4.3 root search)', () => {
  it.each([
    ['userName eq "a"', 'Group', false],
    ['userName eq "a"', 'User', parseFilter('userName eq "a"')],
    ['displayName eq "x" or userName eq "a"', 'Group', parseFilter('displayName eq "x"')],
    ['members pr and userName eq "a"', 'User', false],
    ['not (userName eq "a")', 'Group', true],
    ['not (userName eq "a") or members pr', 'Group', true],
    ['externalId eq "e"', 'Group', parseFilter('externalId eq "e"')],
  ] as const)('%s for %s', (text, type, expected) => {
    expect(restrictFilterToType(parseFilter(text), registry, type)).toEqual(expected);
  });
});
