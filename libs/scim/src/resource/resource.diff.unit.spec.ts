import fc from 'fast-check';
import { BARBARA_JENSEN, MINIMAL_USER } from '../../test-fixtures/rfc7643-users.test-support.js';
import { applyChanges, diffResources, type AttributeChange } from './resource.diff.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const INTERACT = 'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User';

type Row = [title: string, before: Record<string, unknown>, after: Record<string, unknown>, changes: AttributeChange[]];

describe('diffResources', () => {
  it.each<Row>([
    ['no change', { userName: 'a' }, { userName: 'a' }, []],
    ['key order does not matter', { a: 1, b: { x: 1, y: 2 } }, { b: { y: 2, x: 1 }, a: 1 }, []],
    ['replaced top-level attribute', { userName: 'a' }, { userName: 'b' }, [{ path: ['userName'], before: 'a', after: 'b' }]],
    ['added attribute', { userName: 'a' }, { userName: 'a', active: false }, [{ path: ['active'], after: false }]],
    ['removed attribute', { userName: 'a', nickName: 'n' }, { userName: 'a' }, [{ path: ['nickName'], before: 'n' }]],
    ['complex attributes change whole', { name: { givenName: 'A', familyName: 'F' } }, { name: { givenName: 'B', familyName: 'F' } },
      [{ path: ['name'], before: { givenName: 'A', familyName: 'F' }, after: { givenName: 'B', familyName: 'F' } }]],
    ['multi-valued attributes change whole, order counts', { emails: [{ value: 'a' }, { value: 'b' }] }, { emails: [{ value: 'b' }, { value: 'a' }] },
      [{ path: ['emails'], before: [{ value: 'a' }, { value: 'b' }], after: [{ value: 'b' }, { value: 'a' }] }]],
    ['extension attributes change one by one', { [ENTERPRISE]: { department: 'A', costCenter: '1' } }, { [ENTERPRISE]: { department: 'B', costCenter: '1' } },
      [{ path: [ENTERPRISE, 'department'], before: 'A', after: 'B' }]],
    ['extension added: one change per attribute', { userName: 'a' }, { userName: 'a', [ENTERPRISE]: { manager: { value: 'm' }, department: 'D' } },
      [{ path: [ENTERPRISE, 'manager'], after: { value: 'm' } }, { path: [ENTERPRISE, 'department'], after: 'D' }]],
    ['extension removed: one change per attribute', { [INTERACT]: { location: 'Leeds' } }, {}, [{ path: [INTERACT, 'location'], before: 'Leeds' }]],
    ['schemas change whole', { schemas: ['u'] }, { schemas: ['u', ENTERPRISE] }, [{ path: ['schemas'], before: ['u'], after: ['u', ENTERPRISE] }]],
    ['an empty extension object changes whole', { [ENTERPRISE]: {} }, {}, [{ path: [ENTERPRISE], before: {} }]],
  ])('%s', (_title, before, after, changes) => {
    expect(diffResources(before, after)).toEqual(changes);
    expect(applyChanges(before, changes)).toEqual(after);
  });

  it('RFC 7643 §8.1 to §8.3: growing the minimal user into the enterprise example', () => {
    const changes = diffResources(MINIMAL_USER, BARBARA_JENSEN);
    expect(changes.map((change) => change.path.join(' '))).toContain(`${ENTERPRISE} manager`);
    expect(applyChanges(MINIMAL_USER, changes)).toEqual(BARBARA_JENSEN);
    expect(applyChanges(BARBARA_JENSEN, diffResources(BARBARA_JENSEN, MINIMAL_USER))).toEqual(MINIMAL_USER);
  });

  it('does not modify its inputs, and the result shares nothing with the changes', () => {
    const before = { userName: 'a', [ENTERPRISE]: { department: 'A' } };
    const after = { userName: 'a', [ENTERPRISE]: { department: 'B', manager: { value: 'm' } } };
    const changes = diffResources(before, after);
    const applied = applyChanges(before, changes);
    expect(before).toEqual({ userName: 'a', [ENTERPRISE]: { department: 'A' } });
    (applied[ENTERPRISE] as { manager: { value: string } }).manager.value = 'changed';
    expect(changes[1]).toEqual({ path: [ENTERPRISE, 'manager'], after: { value: 'm' } });
  });

  it('attribute names that Object.prototype also has (valueOf, constructor) are diffed as data', () => {
    const after = { [ENTERPRISE]: { valueOf: null, constructor: 'x' }, toString: 1 };
    const changes = diffResources({}, after);
    expect(changes).toEqual([
      { path: [ENTERPRISE, 'valueOf'], after: null },
      { path: [ENTERPRISE, 'constructor'], after: 'x' },
      { path: ['toString'], after: 1 },
    ]);
    expect(applyChanges({}, changes)).toEqual(after);
    expect(applyChanges(after, diffResources(after, {}))).toEqual({});
  });

  it('property: applyChanges(before, diffResources(before, after)) equals after', () => {
    const attributeValue = fc.jsonValue({ maxDepth: 3 });
    const extension = fc.dictionary(fc.constantFrom('employeeNumber', 'department', 'manager', 'location'), attributeValue, { maxKeys: 4 });
    const resource = fc.dictionary(
      fc.constantFrom('schemas', 'id', 'userName', 'name', 'emails', 'active', ENTERPRISE, INTERACT),
      fc.oneof(attributeValue, extension),
      { maxKeys: 8 },
    );
    fc.assert(
      fc.property(resource, resource, (before, after) => {
        expect(applyChanges(before, diffResources(before, after))).toEqual(after);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a resource diffed against itself has no changes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (resource) => {
        expect(diffResources(resource, structuredClone(resource))).toEqual([]);
      }),
    );
  });
});
