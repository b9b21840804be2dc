import { Body, Controller, HttpCode, Inject, Logger, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { parseIfMatch, weakEtag } from '#scim/resource/etag.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import {
  bulkIdReferencesIn,
  bulkIdReferencesInPath,
  resolveBulkIdReferences,
  resolveBulkIdReferencesInPath,
} from '#scim/messages/bulk-references.js';
import { BulkRequest, type BulkOperationDto } from '#scim/messages/bulk-request.dto.js';
import { buildBulkResponse, failedBulkOperation, type BulkOperationResult } from '#scim/messages/bulk-response.js';
import { validateMessage } from '#scim/messages/message.validator.js';
import { InvalidPathError, InvalidValueError, PayloadTooLargeError, ScimError } from '#scim/scim-error.js';
import { CreateGroupCommand, DeleteGroupCommand, UpdateGroupCommand } from '../groups/group.commands.js';
import { parseGroupResource } from '../groups/group-input.js';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { CallContext, type ScimCallContext } from '../http/request-context.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { CreateUserCommand, DeleteUserCommand, UpdateUserCommand } from '../users/user.commands.js';
import { parsePatchOperations, parseUserResource, type InputPolicy } from '../users/user-input.js';
import { commandRefusal } from '../http/command-refusal.js';
import { outageError } from '../http/outage.js';

/** Advertised in /ServiceProviderConfig; the payload limit is MAX_BODY_BYTES, enforced by the body parser. */
export const BULK_MAX_OPERATIONS = 1000;

type Outcome = { status: number; id?: string; version?: bigint };

/**
 * RFC 7644 §3.7: operations run in order, each through the same commands as its single-resource endpoint.
 * `bulkId:<id>` references resolve to ids created earlier in the request; an operation whose reference is not
 * created yet waits for one more pass (forward references), then fails with 409 (§3.7.1 allows stopping there).
 * `failOnErrors` stops after that many errors; each operation's outcome is reported, failures as SCIM errors.
 */
@Controller(`${SCIM_BASE_PATH}/Bulk`)
@UseGuards(BearerTokenGuard)
export class BulkController {
  private readonly logger = new Logger('Bulk');
  private readonly baseUrl: string;
  private readonly unknownAttributes: InputPolicy['unknownAttributes'];
  private readonly limits: RequestLimits;

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
    this.unknownAttributes = config.unknownAttributes;
    this.limits = config.requestLimits;
  }

  @Post()
  @HttpCode(200)
  async bulk(@CallContext() context: ScimCallContext, @Body() body: unknown) {
    const operationCount = Array.isArray((body as { Operations?: unknown })?.Operations) ? (body as { Operations: unknown[] }).Operations.length : 0;
    if (operationCount > BULK_MAX_OPERATIONS) {
      throw new PayloadTooLargeError(`the request has ${operationCount} operations; the maximum is ${BULK_MAX_OPERATIONS} (ServiceProviderConfig bulk.maxOperations)`);
    }
    const request = validateMessage(BulkRequest, body);
    const created = new Map<string, string>();
    const results = new Map<number, BulkOperationResult>();
    let errors = 0;
    let pending = request.Operations.map((operation, index) => ({ operation, index }));
    for (let pass = 0; pass < 2 && pending.length > 0; pass++) {
      const deferred: typeof pending = [];
      for (const { operation, index } of pending) {
        if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
        const references = [...bulkIdReferencesInPath(operation.path), ...bulkIdReferencesIn(operation.data)];
        const missing = references.filter((reference) => !created.has(reference));
        if (missing.length > 0) {
          if (pass === 0) {
            deferred.push({ operation, index });
            continue;
          }
          errors++;
          results.set(index, failedBulkOperation(operation, new ScimError(409, 'invalidValue', `bulkId ${missing.join(', ')} was not created by this request (or failed)`)));
          continue;
        }
        const resolved = { ...operation, path: resolveBulkIdReferencesInPath(operation.path, created), data: resolveBulkIdReferences(operation.data, created) };
        const result = await this.execute(context, resolved);
        if ('error' in result) {
          errors++;
          results.set(index, failedBulkOperation(operation, result.error));
          continue;
        }
        if (operation.bulkId !== undefined && result.id !== undefined) created.set(operation.bulkId, result.id);
        results.set(index, this.success(operation, resolved.path, result));
      }
      pending = deferred;
    }
    return buildBulkResponse([...results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result));
  }

  private async execute(context: ScimCallContext, operation: BulkOperationDto): Promise<Outcome | { error: ScimError }> {
    try {
      return await this.dispatch(context, operation);
    } catch (error) {
      if (error instanceof ScimError) return { error };
      const refusal = commandRefusal(error);
      if (refusal) return { error: refusal };
      const outage = outageError(error);
      this.logger.error(`bulk ${operation.method} ${operation.path} failed: ${(error as Error).message}`, (error as Error).stack);
      return { error: outage ?? new ScimError(500, undefined, `internal error (request id ${context.metadata.requestId}); the gateway's log has the details`) };
    }
  }

  private async dispatch(context: ScimCallContext, operation: BulkOperationDto): Promise<Outcome> {
    const input: InputPolicy = { registry: this.registries.forTenant(context.tenantId), unknownAttributes: this.unknownAttributes };
    const method = operation.method.trim().toUpperCase();
    const { resourceType, id } = parseBulkPath(operation.path);
    const ifMatch = parseIfMatch(operation.version);
    if (method === 'POST') {
      if (id !== undefined) throw new InvalidPathError(`POST goes to /${resourceType}s, not to a resource (${operation.path})`);
      if (resourceType === 'User') {
        const user = await this.commands.execute(new CreateUserCommand(context, randomUUID(), parseUserResource(operation.data, input)));
        return { status: 201, id: user.id, version: user.version };
      }
      const { attributes, members } = parseGroupResource(operation.data, input);
      const group = await this.commands.execute(new CreateGroupCommand(context, randomUUID(), attributes, members));
      return { status: 201, id: group.id, version: group.version };
    }
    if (id === undefined) throw new InvalidPathError(`${method} needs a resource path such as /${resourceType}s/<id> (got ${operation.path})`);
    if (method === 'DELETE') {
      await this.commands.execute(resourceType === 'User' ? new DeleteUserCommand(context, id, ifMatch) : new DeleteGroupCommand(context, id, ifMatch));
      return { status: 204, id };
    }
    if (resourceType === 'User') {
      const change =
        method === 'PUT'
          ? { type: 'ReplaceUser' as const, attributes: parseUserResource(operation.data, input) }
          : { type: 'PatchUser' as const, operations: parsePatchOperations(operation.data, this.limits), unknownAttributes: this.unknownAttributes };
      const user = await this.commands.execute(new UpdateUserCommand(context, id, change, ifMatch));
      return { status: 200, id, version: user.version };
    }
    const change =
      method === 'PUT'
        ? { type: 'ReplaceGroup' as const, ...parseGroupResource(operation.data, input) }
        : { type: 'PatchGroup' as const, operations: parsePatchOperations(operation.data, this.limits), unknownAttributes: this.unknownAttributes };
    const group = await this.commands.execute(new UpdateGroupCommand(context, id, change, ifMatch));
    return { status: method === 'PATCH' ? 204 : 200, id, version: group.version };
  }

  private success(operation: BulkOperationDto, path: string, outcome: Outcome): BulkOperationResult {
    const { resourceType } = parseBulkPath(path);
    return {
      method: operation.method.trim().toUpperCase(),
      ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
      ...(outcome.version !== undefined ? { version: weakEtag(outcome.version) } : {}),
      ...(outcome.id !== undefined && outcome.status !== 204 ? { location: `${this.baseUrl}/${resourceType}s/${outcome.id}` } : {}),
      status: String(outcome.status),
    };
  }
}

function parseBulkPath(path: string): { resourceType: 'User' | 'Group'; id?: string } {
  const match = /^\/?(Users|Groups)(?:\/([^/]+))?\/?$/i.exec(path.trim());
  if (!match) throw new InvalidValueError(`bulk path "${path}" must be /Users, /Groups, /Users/<id> or /Groups/<id>`);
  return { resourceType: match[1].toLowerCase() === 'users' ? 'User' : 'Group', ...(match[2] ? { id: match[2] } : {}) };
}
