#!/usr/bin/env node
// Prepares Microsoft's SCIM reference Postman collection (PostmanCollection.json, pinned in run.sh, read verbatim)
// for newman against a given SCIM base URL and token:
//   - the environment the collection expects: Protocol, Server, Port (":3000" or ""), Api (the base path, e.g.
//     "scim/v2") and token;
//   - the collection without its first folder "Get Token", which asks the reference implementation's own /Token
//     endpoint (not a SCIM endpoint, RFC 7644 leaves authentication to the service provider) for a token and would
//     overwrite the one given here. Nothing else is changed: every other request and assertion runs as written.
//
// Usage: node postman-prepare.mjs COLLECTION BASE_URL TOKEN OUT_COLLECTION OUT_ENVIRONMENT
import { readFileSync, writeFileSync } from 'node:fs';

const [collectionFile, baseUrl, token, outCollection, outEnvironment] = process.argv.slice(2);
if (!outEnvironment) {
  console.error('usage: node postman-prepare.mjs COLLECTION BASE_URL TOKEN OUT_COLLECTION OUT_ENVIRONMENT');
  process.exit(2);
}

const url = new URL(baseUrl);
const values = {
  Protocol: url.protocol.replace(/:$/, ''),
  Server: url.hostname,
  Port: url.port ? `:${url.port}` : '',
  Api: url.pathname.replace(/^\/+|\/+$/g, ''),
  token,
};
writeFileSync(
  outEnvironment,
  JSON.stringify(
    {
      name: 'scim-gateway conformance',
      values: Object.entries(values).map(([key, value]) => ({ key, value, type: 'default', enabled: true })),
    },
    null,
    2,
  ),
);

const collection = JSON.parse(readFileSync(collectionFile, 'utf8'));
const before = collection.item.length;
collection.item = collection.item.filter((item) => item.name !== 'Get Token');
if (collection.item.length !== before - 1) {
  console.error('the collection has no top-level "Get Token" folder any more; check the pinned commit in run.sh');
  process.exit(2);
}
writeFileSync(outCollection, JSON.stringify(collection, null, 2));
