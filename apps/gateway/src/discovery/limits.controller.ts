import { Controller, Get, Inject } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { INDEXED_VALUE_MAX_BYTES } from '#scim/resource/resource.invariants.js';
import { BULK_MAX_OPERATIONS } from '../bulk/bulk.controller.js';
import { PAGE_LIMITS } from '../http/scim-parameters.js';

/**
 * Every input limit of this deployment (docs/operations.md "Limits"), so a client or operator can learn them before
 * being refused. RFC 7643 §5 has a place for three of them (filter.maxResults, bulk.maxOperations and
 * bulk.maxPayloadSize, which /ServiceProviderConfig also shows); the others had been an extension of
 * /ServiceProviderConfig, which strict SCIM clients refuse as a whole (scim2-models), so they live here, outside
 * the SCIM base path and, like /health, without a token: they are the same for every tenant and secret to none.
 */
@Controller()
export class LimitsController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get('limits')
  limits() {
    const { filter, attributeList, patchOperations, json } = this.config.requestLimits;
    return {
      maxResults: PAGE_LIMITS.maxCount,
      bulkMaxOperations: BULK_MAX_OPERATIONS,
      maxPayloadSize: this.config.maxBodyBytes,
      filterMaxLength: filter.maxLength,
      filterMaxComparisons: filter.maxComparisons,
      filterMaxDepth: filter.maxDepth,
      filterMaxAttributePaths: filter.maxAttributePaths,
      attributesMaxEntries: attributeList.maxEntries,
      attributesMaxLength: attributeList.maxLength,
      patchMaxOperations: patchOperations,
      jsonMaxDepth: json.maxDepth,
      jsonMaxStringLength: json.maxStringLength,
      indexedValueMaxBytes: INDEXED_VALUE_MAX_BYTES,
    };
  }
}
