import { describe, expect, it } from '@jest/globals';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError } from '../scim-error.js';
import { parseFilter } from './filter.parser.js';
import { resolveFilter, type ResolvedFilter } from './filter.resolve.js';

const registry = new SchemaRegistry();
const resolve = (text: string): ResolvedFilter => resolveFilter(parseFilter(text), registry, 'User');

describe('resolveFilter', () => {
  it('attaches the compared definition and converts the literal to its type', () => {
    const resolved = resolve('ACTIVE eq "True" and emails co 7');
    expect(resolved).toMatchObject({
      kind: 'and',
      left: { kind: 'compare', op: 'eq', operand: true, target: { compared: { name: 'active', type: 'boolean' }, impliesValueSubAttribute: false } },
      // A complex attribute compares its `value`; Entra's unquoted number becomes text.
      right: { kind: 'compare', op: 'co', operand: '7', target: { compared: { name: 'value' }, impliesValueSubAttribute: true } },
    });
  });

  it('resolves the paths of a value filter as sub-attributes of its attribute', () => {
    const resolved = resolve('emails[TYPE eq "work"]');
    expect(resolved).toMatchObject({
      kind: 'valuePath',
      parent: { attribute: { name: 'emails' } },
      filter: { kind: 'compare', operand: 'work', target: { compared: { name: 'type' }, withinElement: true } },
    });
  });

  it('fails on the first problem, left before right, with the messages the evaluator has always given', () => {
    expect(() => resolve('nope eq "x" and active gt true')).toThrow(new InvalidFilterError("unknown attribute 'nope' in filter for User"));
    expect(() => resolve('active gt true and nope eq "x"')).toThrow(new InvalidFilterError("operator 'gt' cannot compare boolean attribute 'active'"));
    expect(() => resolve('emails[type[value eq "x"] eq "y"]')).toThrow(InvalidFilterError);
    expect(() => resolve('name eq "x"')).toThrow(new InvalidFilterError("'name' is complex: compare one of its sub-attributes"));
    expect(() => resolve('userName[value eq "x"]')).toThrow(new InvalidFilterError("'userName' is not a complex attribute, so it cannot take a value filter"));
  });
});
