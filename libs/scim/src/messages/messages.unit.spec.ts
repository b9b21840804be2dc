import { InvalidSyntaxError, InvalidValueError, NotFoundError } from '../scim-error.js';
import { BulkRequest } from './bulk-request.dto.js';
import { buildBulkResponse, failedBulkOperation } from './bulk-response.js';
import { buildListResponse } from './list-response.js';
import { validateMessage } from './message.validator.js';
import { MessageSchema } from './message-schemas.js';
import { parsePagination } from './pagination.js';
import { PatchOpRequest, PatchOperationDto } from './patch-op.dto.js';
import { SearchRequest } from './search-request.dto.js';

const PATCH_OP = MessageSchema.patchOp;

describe('PatchOpRequest (RFC 7644 §3.5.2)', () => {
  it('ENTRA.md: the PATCH Entra sends, with capitalised ops', () => {
    const body = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
        { op: 'remove', path: 'members[value eq "f648f8d5ea4e4cd38e9c"]' },
        { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom' } },
      ],
    };
    const message = validateMessage(PatchOpRequest, body);
    expect(message).toBeInstanceOf(PatchOpRequest);
    expect(message.Operations[0]).toBeInstanceOf(PatchOperationDto);
    expect(message.Operations.map((operation) => operation.op)).toEqual(['Replace', 'Replace', 'Add', 'remove', 'replace']);
    expect(message.Operations[2].value).toEqual([{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }]);
    expect(message.Operations[4].value).toEqual({ displayName: 'Bjfe', 'name.givenName': 'Kkom' });
  });

  it('the schema URN compares case-insensitively', () => {
    expect(validateMessage(PatchOpRequest, { schemas: [PATCH_OP.toUpperCase()], Operations: [{ op: 'add', path: 'title', value: 'x' }] }).schemas).toHaveLength(1);
  });

  type ErrorRow = [title: string, body: unknown, detail: string];
  it.each<ErrorRow>([
    ['not an object', 'x', 'the request body must be a JSON object'],
    ['no schemas', { Operations: [{ op: 'add', value: {} }] }, `schemas: must be an array of schema URIs containing "${PATCH_OP}"`],
    ['another schema', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], Operations: [{ op: 'add', value: {} }] },
      `schemas: must be an array of schema URIs containing "${PATCH_OP}"`],
    ['no Operations', { schemas: [PATCH_OP] }, 'Operations: must hold at least one operation; Operations: must be an array of operations'],
    ['empty Operations', { schemas: [PATCH_OP], Operations: [] }, 'Operations: must hold at least one operation'],
    ['an unknown op', { schemas: [PATCH_OP], Operations: [{ op: 'add', value: {} }, { op: 'move', path: 'a' }] }, 'Operations[1].op: must be "add", "remove" or "replace"'],
    ['op missing', { schemas: [PATCH_OP], Operations: [{ path: 'a' }] }, 'Operations[0].op: must be "add", "remove" or "replace"; Operations[0].op: must be a string'],
    ['path not a string', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 3 }] }, 'Operations[0].path: must be a string (an attribute path)'],
  ])('invalidSyntax: %s', (_title, body, detail) => {
    const attempt = (): unknown => validateMessage(PatchOpRequest, body);
    expect(attempt).toThrow(InvalidSyntaxError);
    expect(attempt).toThrow(expect.objectContaining({ scimType: 'invalidSyntax', detail }));
  });
});

describe('SearchRequest (RFC 7644 §3.4.3)', () => {
  it('RFC 7644 §3.4.3 example: POST .search body', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['displayName', 'userName'],
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: 10,
    };
    expect(validateMessage(SearchRequest, body)).toEqual(body);
  });

  it('accepts a comma-separated attribute string', () => {
    expect(validateMessage(SearchRequest, { schemas: [MessageSchema.searchRequest], excludedAttributes: 'members' }).excludedAttributes).toBe('members');
  });

  it.each<[title: string, body: Record<string, unknown>, errorClass: typeof InvalidValueError | typeof InvalidSyntaxError, detail: string]>([
    ['sortOrder', { sortOrder: 'up' }, InvalidValueError, 'sortOrder: must be "ascending" or "descending"'],
    ['count', { count: 1.5 }, InvalidValueError, 'count: must be an integer'],
    ['filter', { filter: 42 }, InvalidSyntaxError, 'filter: must be a string (a filter, RFC 7644 §3.4.2.2)'],
    ['attributes', { attributes: [1] }, InvalidSyntaxError, 'attributes: must be an array of attribute names'],
    ['value and syntax problems together are invalidSyntax', { count: 'x', filter: 1 }, InvalidSyntaxError,
      'filter: must be a string (a filter, RFC 7644 §3.4.2.2); count: must be an integer'],
  ])('rejects %s', (_title, fields, errorClass, detail) => {
    const attempt = (): unknown => validateMessage(SearchRequest, { schemas: [MessageSchema.searchRequest], ...fields });
    expect(attempt).toThrow(errorClass);
    expect(attempt).toThrow(expect.objectContaining({ detail }));
  });
});

describe('BulkRequest (RFC 7644 §3.7)', () => {
  const BULK = MessageSchema.bulkRequest;
  it('RFC 7644 §3.7 example: POST, PUT, PATCH and DELETE operations', () => {
    const body = {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'Alice' } },
        { method: 'PUT', path: '/Users/b7c14771-226c-4d05-8860-134711653041', version: 'W/"3694e05e9dff591"', data: { userName: 'Bob' } },
        { method: 'PATCH', path: '/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc', version: 'W/"edac3253e2c0ef2"', data: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'nickName' }] } },
        { method: 'DELETE', path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b', version: 'W/"0ee8add0a938e1a"' },
      ],
    };
    expect(validateMessage(BulkRequest, body).Operations).toHaveLength(4);
  });

  it.each<[title: string, operation: Record<string, unknown>, detail: string]>([
    ['POST without bulkId', { method: 'POST', path: '/Users', data: {} }, 'Operations[0].bulkId: must not be empty; POST operations need one (RFC 7644 §3.7); Operations[0].bulkId: must be a string; POST operations need one (RFC 7644 §3.7)'],
    ['an unknown method', { method: 'GET', path: '/Users' }, 'Operations[0].method: must be POST, PUT, PATCH or DELETE'],
    ['PUT without data', { method: 'PUT', path: '/Users/1' }, 'Operations[0].data: must be an object (POST, PUT and PATCH carry data, RFC 7644 §3.7)'],
    ['no path', { method: 'DELETE' }, 'Operations[0].path: must not be empty; Operations[0].path: must be a string (a resource path such as /Users or /Users/<id>)'],
  ])('rejects %s', (_title, operation, detail) => {
    expect(() => validateMessage(BulkRequest, { schemas: [BULK], Operations: [operation] })).toThrow(expect.objectContaining({ scimType: 'invalidSyntax', detail }));
  });

  it('failOnErrors below 1 is invalidValue', () => {
    expect(() => validateMessage(BulkRequest, { schemas: [BULK], failOnErrors: 0, Operations: [{ method: 'DELETE', path: '/Users/1' }] })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue', detail: 'failOnErrors: must be at least 1' }),
    );
  });

  it('RFC 7644 §3.7.3: a BulkResponse with statuses as strings and errors as SCIM errors', () => {
    expect(
      buildBulkResponse([
        { method: 'POST', bulkId: 'qwerty', version: 'W/"4weymrEsh5O6cAEK"', location: 'https://example.com/v2/Users/92b725cd', status: '201' },
        failedBulkOperation({ method: 'DELETE' }, new NotFoundError('Resource e9025315 not found')),
      ]),
    ).toEqual({
      schemas: [MessageSchema.bulkResponse],
      Operations: [
        { method: 'POST', bulkId: 'qwerty', version: 'W/"4weymrEsh5O6cAEK"', location: 'https://example.com/v2/Users/92b725cd', status: '201' },
        { method: 'DELETE', status: '404', response: { schemas: [MessageSchema.error], status: '404', detail: 'Resource e9025315 not found' } },
      ],
    });
  });
});

describe('ListResponse (RFC 7644 §3.4.2)', () => {
  it('ENTRA.md: Test Connection gets an empty list with totalResults 0, Resources present', () => {
    expect(buildListResponse([], { totalResults: 0, startIndex: 1 })).toEqual({
      schemas: [MessageSchema.listResponse],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('RFC 7644 §3.4.2 example: a page of a larger result', () => {
    const response = buildListResponse([{ id: 'a' }, { id: 'b' }], { totalResults: 5, startIndex: 3 });
    expect(response).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2, Resources: [{ id: 'a' }, { id: 'b' }] });
  });
});

describe('parsePagination (RFC 7644 §3.4.2.4)', () => {
  const limits = { defaultCount: 100, maxCount: 200 };
  it.each<[title: string, request: { startIndex?: unknown; count?: unknown }, expected: { startIndex: number; count: number }]>([
    ['defaults', {}, { startIndex: 1, count: 100 }],
    ['query-string values', { startIndex: '11', count: '10' }, { startIndex: 11, count: 10 }],
    ['startIndex below 1 is 1', { startIndex: -4 }, { startIndex: 1, count: 100 }],
    ['a negative count is 0', { count: '-1' }, { startIndex: 1, count: 0 }],
    ['count above the maximum is the maximum', { count: 5000 }, { startIndex: 1, count: 200 }],
  ])('%s', (_title, request, expected) => {
    expect(parsePagination(request, limits)).toEqual(expected);
  });

  it('rejects what is not an integer', () => {
    expect(() => parsePagination({ count: 'ten' }, limits)).toThrow(expect.objectContaining({ scimType: 'invalidValue', detail: 'count must be an integer, got "ten"' }));
  });
});

/** Issue 12: client JSON inside a message is data, and an optional member sent as null is absent. */
describe('validateMessage with hostile members', () => {
  it('keeps a PATCH value holding prototype-shaped keys exactly as sent, as own data', () => {
    const value = JSON.parse('{"constructor":"x","__proto__":{"polluted":true},"prototype":{"a":[1]}}');
    const [operation] = validateMessage(PatchOpRequest, { schemas: [PATCH_OP], Operations: [{ op: 'add', value }] }).Operations;
    expect(operation.value).toBe(value);
    expect(Object.keys(operation.value as object)).toEqual(['constructor', '__proto__', 'prototype']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('does not walk a PATCH value (no recursion as deep as the client nests)', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`);
    const [operation] = validateMessage(PatchOpRequest, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'x', value: deep }] }).Operations;
    expect(operation.value).toBe(deep);
  });

  it('keeps a PATCH value of null (RFC 7644 §3.5.2.3: replace with null removes)', () => {
    const [operation] = validateMessage(PatchOpRequest, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: null }] }).Operations;
    expect(Object.hasOwn(operation, 'value')).toBe(true);
    expect(operation.value).toBeNull();
  });

  it('reads null optional SearchRequest members as absent (RFC 7643 §2.5)', () => {
    const request = validateMessage(SearchRequest, {
      schemas: [MessageSchema.searchRequest],
      filter: null,
      sortBy: null,
      sortOrder: null,
      attributes: null,
      excludedAttributes: null,
      startIndex: null,
      count: null,
    });
    expect({ ...request }).toEqual({ schemas: [MessageSchema.searchRequest] });
  });

  it('reads null optional Bulk members as absent, and still requires bulkId on POST', () => {
    const request = validateMessage(BulkRequest, {
      schemas: [MessageSchema.bulkRequest],
      failOnErrors: null,
      Operations: [{ method: 'PATCH', path: '/Users/1', version: null, bulkId: null, data: { Operations: [] } }],
    });
    expect(request.failOnErrors).toBeUndefined();
    expect(Object.hasOwn(request.Operations[0], 'version')).toBe(false);
    expect(request.Operations[0].data).toEqual({ Operations: [] });
    expect(() => validateMessage(BulkRequest, { schemas: [MessageSchema.bulkRequest], Operations: [{ method: 'POST', path: '/Users', bulkId: null, data: {} }] })).toThrow(
      /Operations\[0\]\.bulkId/,
    );
  });
});

describe('validateMessage with prototype-shaped members of the message itself', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('a SearchRequest and a PatchOp with a "%s" member are validated as data', (key) => {
    const search = JSON.parse(`{"schemas":["${MessageSchema.searchRequest}"],"${key}":{"filter":"x"},"filter":"userName pr"}`);
    expect(validateMessage(SearchRequest, search).filter).toBe('userName pr');
    const patch = JSON.parse(`{"schemas":["${PATCH_OP}"],"${key}":1,"Operations":[{"op":"add","path":"title","value":"x","${key}":{"op":"bad"}}]}`);
    const [operation] = validateMessage(PatchOpRequest, patch).Operations;
    expect(operation).toBeInstanceOf(PatchOperationDto);
    expect(operation).toMatchObject({ op: 'add', path: 'title', value: 'x' });
    expect(() => validateMessage(PatchOpRequest, JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":{"${key}":[]}}`))).toThrow(InvalidSyntaxError);
  });
});

describe('validateMessage with an object holding a "constructor" key where a scalar belongs', () => {
  it.each([
    ['SearchRequest count', SearchRequest, { schemas: [MessageSchema.searchRequest], count: { constructor: 'x' } }],
    ['SearchRequest startIndex', SearchRequest, { schemas: [MessageSchema.searchRequest], startIndex: [{ constructor: 1 }] }],
    ['Bulk failOnErrors', BulkRequest, { schemas: [MessageSchema.bulkRequest], failOnErrors: { constructor: { polluted: 'yes' } }, Operations: [] }],
    ['Bulk operation method', BulkRequest, { schemas: [MessageSchema.bulkRequest], Operations: [{ method: { constructor: 'x' }, path: '/Users', bulkId: 'a', data: {} }] }],
  ] as const)('%s: 400 invalidSyntax naming the message, not a TypeError', (_name, messageClass, body) => {
    expect(() => validateMessage(messageClass as new () => object, body)).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidSyntax', detail: expect.stringContaining(`the ${messageClass.name} message`) }),
    );
  });
});

describe('validateMessage with an operation that is not an object', () => {
  it.each([
    ['Bulk', BulkRequest, { schemas: [MessageSchema.bulkRequest], Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: {} }, []] }],
    ['PATCH', PatchOpRequest, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'x' }, [[]]] }],
    ['PATCH (a string)', PatchOpRequest, { schemas: [PATCH_OP], Operations: ['add'] }],
  ] as const)('%s: 400 invalidSyntax naming the operation', (_name, messageClass, body) => {
    expect(() => validateMessage(messageClass as new () => object, body)).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidSyntax', detail: expect.stringContaining('each operation must be a JSON object') }),
    );
  });
});
