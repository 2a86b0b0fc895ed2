import { type UserProfileDto } from '../../users/dto/user.dto.js';

export class TokenResponseDto {
  /** JWT (RS256) for `Authorization: Bearer`; verify with /.well-known/jwks.json */
  access_token!: string;
  /** Opaque; send to /api/v1/auth/refresh. It changes on every refresh. */
  refresh_token!: string;
  /** @example bearer */
  token_type!: 'bearer';
  /** Seconds until the access token expires. @example 900 */
  expires_in!: number;
  user!: UserProfileDto;
}
