import { IsOptional, IsString, MaxLength } from 'class-validator';
import { isoOrNull } from '../../../common/time/iso.js';
import type { IdentityProvider } from '../identity.entity.js';
import type { IdentityView } from '../identities.repository.js';

export class IdentityDto {
  /** @example google */
  provider!: IdentityProvider;
  /** The provider's address for the account when it was linked; @example minji@hallym.ac.kr */
  email!: string | null;
  created_at!: string;
  last_used_at!: string | null;
}

export function mapIdentity(identity: IdentityView): IdentityDto {
  return {
    provider: identity.provider,
    email: identity.email,
    created_at: identity.createdAt.toISOString(),
    last_used_at: isoOrNull(identity.lastUsedAt),
  };
}

export class OAuthStartQueryDto {
  /** Where on the web app to land afterwards: a path on FRONTEND_URL; @example /classes */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  redirect?: string;
}

export class AuthorizationUrlDto {
  /** Send the browser here (top-level navigation); the state cookie set with this answer must come along */
  authorization_url!: string;
}

export class SignInProviderDto {
  /** Start the sign-in at `GET /api/v1/auth/{id}`; @example kakao */
  id!: IdentityProvider;
  /** @example Kakao */
  name!: string;
}
