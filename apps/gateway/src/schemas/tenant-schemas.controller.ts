import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../admin/admin-token.guard.js';
import { ADMIN_BASE_PATH } from '../admin/admin.paths.js';
import { SchemaRegistries } from './schema-registries.js';

/**
 * `/admin/v1/tenants/{tenantId}/schemas`: a tenant's own extension schemas, served by its `/Schemas` and
 * `/ResourceTypes` and enforced by validation of its requests (docs/admin.md "Tenant schemas").
 */
@Controller(`${ADMIN_BASE_PATH}/tenants/:tenantId/schemas`)
@UseGuards(AdminTokenGuard)
export class TenantSchemasController {
  constructor(@Inject(SchemaRegistries) private readonly registries: SchemaRegistries) {}

  @Get()
  async list(@Param('tenantId') tenantId: string) {
    return { schemas: await this.registries.list(tenantId) };
  }

  /** Body: `{ "resourceType": "User", "schema": { "id": "urn:...", "name": "...", "attributes": [...] }, "required": false }`. */
  @Put()
  put(@Param('tenantId') tenantId: string, @Body() body: unknown) {
    return this.registries.put(tenantId, body);
  }

  @Delete(':resourceType/:schemaId')
  @HttpCode(204)
  async remove(@Param('tenantId') tenantId: string, @Param('resourceType') resourceType: string, @Param('schemaId') schemaId: string) {
    await this.registries.remove(tenantId, resourceType, schemaId);
  }
}
