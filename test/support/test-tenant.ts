import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import type { TestGateway } from './test-gateway.js';

export interface TestTenant {
  readonly id: string;
  /** Its SCIM bearer token. */
  readonly token: string;
  /** supertest agent with this tenant's SCIM token. */
  scim(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): request.Test;
}

/**
 * A tenant of its own, created through the admin API with a SCIM token, so it starts with the deployment's
 * defaults even on a PostgreSQL database that e2e suites share (whose `default` tenant may predate a setting).
 */
export async function createTestTenant(gateway: TestGateway, prefix: string): Promise<TestTenant> {
  const id = `${prefix}-${randomBytes(4).toString('hex')}`;
  const created = await gateway.admin('post', '/admin/v1/tenants', { id });
  if (created.status !== 201) throw new Error(`creating tenant ${id}: ${created.status} ${created.text}`);
  const token = await gateway.admin('post', `/admin/v1/tenants/${id}/tokens`, {});
  if (token.status !== 201) throw new Error(`creating a token of ${id}: ${token.status} ${token.text}`);
  const secret = (JSON.parse(token.text) as { token: string }).token;
  return { id, token: secret, scim: (method, path, body) => gateway.as(secret, method, path, body) };
}
