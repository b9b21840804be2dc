import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadGatewayConfig, type GatewayConfig } from '#config/gateway.config.js';
import { loadKafkaConfig } from '#config/kafka.config.js';
import { configureGatewayApp } from '../../apps/gateway/src/gateway.app.js';
import { GatewayModule } from '../../apps/gateway/src/gateway.module.js';
import { openGatewayRuntime, type GatewayRuntime } from '../../apps/gateway/src/gateway.runtime.js';
import { loadSchemaRegistry } from '../../apps/gateway/src/schema-registry.loader.js';
import { AdminTokenService } from '../../apps/gateway/src/admin/admin-token.service.js';
import { TokenService } from '../../apps/gateway/src/tenancy/token.service.js';

export const TEST_TOKEN = 'test-token-0123456789abcdef';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestGateway {
  readonly app: NestExpressApplication;
  readonly runtime: GatewayRuntime;
  readonly config: GatewayConfig;
  /** supertest agent with the default tenant's bearer token and SCIM content type. */
  scim(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): request.Test;
  /** supertest agent with the admin token (TEST_ADMIN_TOKEN), JSON body. */
  admin(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): request.Test;
  /** supertest agent with a bearer token of one's choosing (another tenant's, a revoked one). */
  as(token: string, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): request.Test;
  /** Starts listening on a free loopback port (for real HTTP clients such as the admin CLI); resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole gateway (HTTP, commands, event store, projector, read model) in this process, over in-memory PGlite,
 * or over the PostgreSQL server when `databaseUrl` is given. Same wiring as main.ts.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  Logger.overrideLogger(['error']);
  const config = loadGatewayConfig({ SCIM_BEARER_TOKEN: TEST_TOKEN, ADMIN_TOKEN: TEST_ADMIN_TOKEN, READ_YOUR_WRITES_TIMEOUT_MS: '5000', ...env });
  const registry = await loadSchemaRegistry(config);
  const runtime = await openGatewayRuntime(config, { inMemory: !config.databaseUrl });
  const moduleRef = await Test.createTestingModule({ imports: [GatewayModule.forRoot({ config, kafka: loadKafkaConfig(env), runtime, registry })] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
  configureGatewayApp(app, config);
  await app.get(TokenService).bootstrapDefaultTenant(config.scimBearerToken);
  await app.get(AdminTokenService).bootstrap(config.adminToken);
  await app.init();
  const server = app.getHttpServer();
  const as = (token: string, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) => {
    const call = request(server)[method](path).set('Authorization', `Bearer ${token}`);
    return body === undefined ? call : call.set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  };
  return {
    app,
    runtime,
    config,
    scim: (method, path, body) => as(TEST_TOKEN, method, path, body),
    admin(method, path, body) {
      const call = request(server)[method](path).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
      return body === undefined ? call : call.set('Content-Type', 'application/json').send(JSON.stringify(body));
    },
    as,
    async listen() {
      const httpServer = server as import('node:http').Server;
      if (!httpServer.listening) await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      const address = httpServer.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    },
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The user Entra POSTs in its documented cycle (../shared/ENTRA.md), with a chosen userName and externalId. */
export function entraUser(userName: string, externalId = `ext-${userName}`): Record<string, unknown> {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

/**
 * The backends an e2e suite runs on (`describe.each`): embedded PGlite always, and the PostgreSQL server at
 * DATABASE_URL when that is set, passed to startTestGateway as its env.
 */
export function gatewayBackends(): [name: string, env: Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
