import { All, Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { buildListResponse } from '#scim/messages/list-response.js';
import { renderResourceTypeResource, renderSchemaResource } from '#scim/schema/discovery.representation.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import { sameUrn } from '#scim/schema/schema.registry.js';
import { NotFoundError, NotImplementedError } from '#scim/scim-error.js';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { PAGE_LIMITS } from '../http/scim-parameters.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { CallContext, type ScimCallContext } from '../http/request-context.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { BULK_MAX_OPERATIONS } from '../bulk/bulk.controller.js';

/** The resource types this gateway serves endpoints for; discovery must not advertise one it does not serve. */
export const SERVED_RESOURCE_TYPES: readonly ResourceTypeName[] = ['User', 'Group'];

const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/**
 * RFC 7644 §4 discovery, truthful about what is supported (RFC 7643 §5). Behind the bearer token like every
 * SCIM endpoint: schemas will become per tenant (custom extensions), and Entra sends the token anyway.
 */
@Controller(SCIM_BASE_PATH)
@UseGuards(BearerTokenGuard)
export class DiscoveryController {
  private readonly baseUrl: string;
  private readonly maxPayloadSize: number;

  constructor(
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
    this.maxPayloadSize = config.maxBodyBytes;
  }

  @Get('ServiceProviderConfig')
  serviceProviderConfig() {
    return {
      // Core attributes only (RFC 7643 §5): strict clients (scim2-models, under scim2-tester) refuse any other. The
      // limits §5 has no place for are served by GET /limits (LimitsController).
      schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: this.maxPayloadSize },
      filter: { supported: true, maxResults: PAGE_LIMITS.maxCount },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'Bearer token',
          description: 'A per-tenant secret token sent as "Authorization: Bearer <token>" (Entra\'s "Secret Token").',
          specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${this.baseUrl}/ServiceProviderConfig` },
    };
  }

  /** The core schemas, the deployment's extensions and the calling tenant's own (docs/admin.md "Tenant schemas"). */
  @Get('Schemas')
  schemas(@CallContext() context: ScimCallContext) {
    const schemas = this.servedSchemas(context).map((schema) => renderSchemaResource(schema, { baseUrl: this.baseUrl }));
    return buildListResponse(schemas, { totalResults: schemas.length, startIndex: 1 });
  }

  @Get('Schemas/:id')
  schema(@CallContext() context: ScimCallContext, @Param('id') id: string) {
    const schema = this.servedSchemas(context).find((candidate) => sameUrn(candidate.id, id));
    if (!schema) throw new NotFoundError(`schema ${id} is not served here; GET /Schemas lists them`);
    return renderSchemaResource(schema, { baseUrl: this.baseUrl });
  }

  /**
   * RFC 7644 §3.11: a provider that does not support /Me SHOULD answer 501. A bearer token here stands for a
   * tenant's provisioning client, not for a user, so there is no "me" to resolve (a SCIM feature not implemented,
   * not an unknown path).
   */
  @All('Me')
  me(): never {
    throw new NotImplementedError('/Me is not supported: a bearer token stands for a tenant\'s provisioning client, not for a user (RFC 7644 §3.11)');
  }

  @Get('ResourceTypes')
  resourceTypes(@CallContext() context: ScimCallContext) {
    const registry = this.registries.forTenant(context.tenantId);
    const types = SERVED_RESOURCE_TYPES.map((type) => renderResourceTypeResource(registry, type, { baseUrl: this.baseUrl }));
    return buildListResponse(types, { totalResults: types.length, startIndex: 1 });
  }

  @Get('ResourceTypes/:name')
  resourceType(@CallContext() context: ScimCallContext, @Param('name') name: string) {
    const type = SERVED_RESOURCE_TYPES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!type) throw new NotFoundError(`resource type ${name} is not served here; GET /ResourceTypes lists them`);
    return renderResourceTypeResource(this.registries.forTenant(context.tenantId), type, { baseUrl: this.baseUrl });
  }

  private servedSchemas(context: ScimCallContext) {
    const registry = this.registries.forTenant(context.tenantId);
    return SERVED_RESOURCE_TYPES.flatMap((type) => registry.schemasOf(type));
  }
}
