import 'reflect-metadata';
import { Type } from 'class-transformer';
import { OperationsAreObjects } from './operations-are-objects.decorator.js';
import { ArrayNotEmpty, IsArray, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import type { PatchOperation } from '../patch/patch.operation.js';
import { ContainsSchema } from './contains-schema.decorator.js';
import { MessageSchema } from './message-schemas.js';
import { OpaqueJson } from './message.validator.js';

/** One PATCH operation (RFC 7644 §3.5.2); `op` is case-insensitive because Entra sends `Add`, `Replace`, `Remove`. */
export class PatchOperationDto implements PatchOperation {
  @IsString({ message: 'must be a string' })
  @Matches(/^\s*(add|remove|replace)\s*$/i, { message: 'must be "add", "remove" or "replace"' })
  op!: string;

  @IsOptional()
  @IsString({ message: 'must be a string (an attribute path)' })
  path?: string | null;

  /** Any JSON: the PATCH engine checks it against the schema of its target. */
  @OpaqueJson()
  value?: unknown;
}

/** RFC 7644 §3.5.2: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[...]}`. */
export class PatchOpRequest {
  @ContainsSchema(MessageSchema.patchOp)
  schemas!: string[];

  @IsArray({ message: 'must be an array of operations' })
  @ArrayNotEmpty({ message: 'must hold at least one operation' })
  @OperationsAreObjects()
  @ValidateNested({ each: true })
  @Type(() => PatchOperationDto)
  Operations!: PatchOperationDto[];
}
