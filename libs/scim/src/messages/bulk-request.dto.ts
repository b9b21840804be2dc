import 'reflect-metadata';
import { Type } from 'class-transformer';
import { OperationsAreObjects } from './operations-are-objects.decorator.js';
import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ContainsSchema } from './contains-schema.decorator.js';
import { INVALID_VALUE, OpaqueJson } from './message.validator.js';
import { MessageSchema } from './message-schemas.js';

const isMethod = (...methods: string[]) => (operation: BulkOperationDto) =>
  typeof operation.method === 'string' && methods.includes(operation.method.trim().toUpperCase());

/** One operation of a BulkRequest (RFC 7644 §3.7). */
export class BulkOperationDto {
  @IsString({ message: 'must be a string' })
  @Matches(/^\s*(POST|PUT|PATCH|DELETE)\s*$/i, { message: 'must be POST, PUT, PATCH or DELETE' })
  method!: string;

  /** RFC 7644 §3.7: REQUIRED when method is POST, so later operations can refer to `bulkId:<id>`. */
  @ValidateIf(isMethod('POST'))
  @IsString({ message: 'must be a string; POST operations need one (RFC 7644 §3.7)' })
  @IsNotEmpty({ message: 'must not be empty; POST operations need one (RFC 7644 §3.7)' })
  bulkId?: string;

  /** The resource version, for an `If-Match` on PUT, PATCH and DELETE (RFC 7644 §3.7). */
  @IsOptional()
  @IsString({ message: 'must be a string (an ETag)' })
  version?: string;

  @IsString({ message: 'must be a string (a resource path such as /Users or /Users/<id>)' })
  @IsNotEmpty({ message: 'must not be empty' })
  path!: string;

  /** The resource (POST, PUT) or the PatchOp (PATCH); DELETE has none. */
  @ValidateIf(isMethod('POST', 'PUT', 'PATCH'))
  @IsObject({ message: 'must be an object (POST, PUT and PATCH carry data, RFC 7644 §3.7)' })
  @OpaqueJson()
  data?: Record<string, unknown>;
}

/** RFC 7644 §3.7: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[...]}`. */
export class BulkRequest {
  @ContainsSchema(MessageSchema.bulkRequest)
  schemas!: string[];

  /** How many errors to accept before stopping (RFC 7644 §3.7.3). */
  @IsOptional()
  @IsInt({ message: 'must be an integer', context: INVALID_VALUE })
  @Min(1, { message: 'must be at least 1', context: INVALID_VALUE })
  failOnErrors?: number;

  @IsArray({ message: 'must be an array of operations' })
  @ArrayNotEmpty({ message: 'must hold at least one operation' })
  @OperationsAreObjects()
  @ValidateNested({ each: true })
  @Type(() => BulkOperationDto)
  Operations!: BulkOperationDto[];
}
