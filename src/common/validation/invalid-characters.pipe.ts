import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';
import { findInvalidText } from '../http/hostile-input.js';

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], string>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/**
 * The one check of every string a route reads from the request (path parameters, query, the
 * body, object keys included) for NUL characters and unpaired UTF-16 surrogates: the first
 * global pipe, so before validation (class-validator's isEmail throws on a lone surrogate) and
 * before any query (PostgreSQL stores neither). It runs after the guards, so a refused request
 * is still named in the audit trail. Headers need no check: Node's parser refuses a NUL in any
 * header (a 400 in the envelope, see framework-errors.ts) and reads header bytes as latin1,
 * which has no surrogates. A JSON body carries both as `\u0000` or `\ud800` escapes, hence a
 * check after parsing.
 */
@Injectable()
export class InvalidCharactersPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const location = LOCATIONS[metadata.type];
    if (location === undefined) {
      return value;
    }
    const field = findInvalidText(value, metadata.data ?? '');
    if (field !== undefined) {
      throw new AppException('COMMON_INVALID_CHARACTERS', undefined, {
        fields: [
          {
            // The value itself (a body that is one JSON string) is named by its location.
            field: field || location,
            location,
            errors: ['must not contain NUL characters or unpaired UTF-16 surrogates'],
          },
        ],
      });
    }
    return value;
  }
}
