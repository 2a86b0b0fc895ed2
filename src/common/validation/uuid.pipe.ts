import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';

// Versions 1-8 with the RFC variant, or the Nil and Max UUIDs (RFC 9562), as Nest's pipe has it.
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/**
 * A path or query parameter that must be a UUID: else 400 COMMON_VALIDATION_FAILED naming the
 * parameter, like every other malformed input (Nest's ParseUUIDPipe answers a bare 400).
 */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) {
      return value;
    }
    const field = metadata.data ?? 'id';
    const error = `${field} must be a UUID`;
    throw new AppException('COMMON_VALIDATION_FAILED', error, {
      fields: [{ field, errors: [error] }],
    });
  }
}
