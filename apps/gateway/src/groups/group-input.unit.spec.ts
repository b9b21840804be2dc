import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { parseGroupResource } from './group-input.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const policy = { registry: new SchemaRegistry(), unknownAttributes: 'reject' as const };

/** POST and PUT /Groups bodies as clients send them (issue 13: tolerant reading, exact writing). */
describe('parseGroupResource', () => {
  it("reads bare-string members as ids (Microsoft's SCIM reference collection, AzureAD/SCIMReferenceCode PostmanCollection.json)", () => {
    const { attributes, members } = parseGroupResource({ schemas: [GROUP], displayName: 'Bare', members: ['u-1', { value: 'u-2', type: 'User' }, 'u-1'] }, policy);
    expect(members).toEqual([{ value: 'u-1' }, { value: 'u-2', type: 'User' }, { value: 'u-1' }]);
    expect(attributes).toEqual({ schemas: [GROUP], displayName: 'Bare' });
  });

  it('reads them under the URN-qualified key and any case of "members" too', () => {
    expect(parseGroupResource({ displayName: 'Qualified', [`${GROUP}:members`]: ['u-1'] }, policy).members).toEqual([{ value: 'u-1' }]);
    expect(parseGroupResource({ displayName: 'Cased', Members: ['u-2'] }, policy).members).toEqual([{ value: 'u-2' }]);
  });

  it('still refuses a member that is neither an id nor an object with one', () => {
    expect(() => parseGroupResource({ displayName: 'Bad', members: [42] }, policy)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseGroupResource({ displayName: 'Blank', members: [' '] }, policy)).toThrow(/members\[0\]\.value must be the member's id/);
  });

  it("takes Okta's memberships in a POST or PUT body: value and display (developer.okta.com/docs/reference/scim/scim-20/)", () => {
    const body = { schemas: [GROUP], displayName: 'Test SCIMv2', members: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] };
    expect(parseGroupResource(body, policy).members).toEqual([{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }]);
  });
});
