import { IsIn, IsInt, IsOptional, IsString } from 'class-validator';
import { ContainsSchema } from './contains-schema.decorator.js';
import { INVALID_VALUE } from './message.validator.js';
import { MessageSchema } from './message-schemas.js';

/**
 * RFC 7644 §3.4.3: the body of `POST .search`. `attributes` and `excludedAttributes` are lists of attribute names;
 * a comma-separated string is accepted too, as in the query-string form (§3.4.2.5).
 */
export class SearchRequest {
  @ContainsSchema(MessageSchema.searchRequest)
  schemas!: string[];

  @IsOptional()
  @IsString({ each: true, message: 'must be an array of attribute names' })
  attributes?: string[] | string;

  @IsOptional()
  @IsString({ each: true, message: 'must be an array of attribute names' })
  excludedAttributes?: string[] | string;

  @IsOptional()
  @IsString({ message: 'must be a string (a filter, RFC 7644 §3.4.2.2)' })
  filter?: string;

  @IsOptional()
  @IsString({ message: 'must be a string (an attribute name)' })
  sortBy?: string;

  @IsOptional()
  @IsIn(['ascending', 'descending'], { message: 'must be "ascending" or "descending"', context: INVALID_VALUE })
  sortOrder?: 'ascending' | 'descending';

  /** Below 1 means 1 (RFC 7644 §3.4.2.4): see pagination.ts. */
  @IsOptional()
  @IsInt({ message: 'must be an integer', context: INVALID_VALUE })
  startIndex?: number;

  /** Negative means 0 (RFC 7644 §3.4.2.4): see pagination.ts. */
  @IsOptional()
  @IsInt({ message: 'must be an integer', context: INVALID_VALUE })
  count?: number;
}
