import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsUUID,
} from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';

export const MAX_SEATS_PER_REQUEST = 1000;

/** Exactly one of user_id, user_ids or class_id. */
@RequestExamples<AssignSeatsDto>({
  one: { summary: 'One student', value: { user_id: '5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b' } },
  many: {
    summary: 'Several students (up to 1,000)',
    value: {
      user_ids: ['5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b', '6c8a4d3f-0b52-4e8f-9a1b-2d3e4f5a6b7c'],
    },
  },
  class: {
    summary: 'Every student of a class',
    value: { class_id: '7d9b5e4a-1c63-4f9a-8b2c-3e4f5a6b7c8d' },
  },
})
export class AssignSeatsDto {
  /** @example 5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b */
  @IsOptional()
  @IsUUID()
  user_id?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SEATS_PER_REQUEST)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  user_ids?: string[];

  /** @example 7d9b5e4a-1c63-4f9a-8b2c-3e4f5a6b7c8d */
  @IsOptional()
  @IsUUID()
  class_id?: string;
}
