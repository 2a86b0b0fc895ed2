import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  MaxLength,
} from 'class-validator';
import { RequestExamples } from '../../../../common/swagger/request-examples.js';
import { IsTenantId } from '../../../../common/validation/tenant-id.js';
import { LTI_PRODUCTS, type LtiProduct } from '../../entities/lti-platform.entity.js';
import type { LtiDeploymentStatus } from '../../entities/lti-deployment.entity.js';

const URL_RULES = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
export const MAX_DEPLOYMENTS = 100;

@RequestExamples<CreatePlatformDto>({
  moodle: {
    summary: "A school's Moodle",
    value: {
      issuer: 'https://moodle.hallym.ac.kr',
      client_id: 'Xy7bQ2kLm9',
      auth_login_url: 'https://moodle.hallym.ac.kr/mod/lti/auth.php',
      token_url: 'https://moodle.hallym.ac.kr/mod/lti/token.php',
      jwks_url: 'https://moodle.hallym.ac.kr/mod/lti/certs.php',
      display_name: 'Hallym Moodle',
      product: 'moodle',
      deployment_ids: ['3'],
    },
  },
})
export class CreatePlatformDto {
  /** Super admins: the school it is for; others: their own (may be left out) @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;

  /** The platform's issuer (`iss`), exactly as its id_tokens carry it @example https://canvas.instructure.com */
  @IsUrl(URL_RULES)
  @MaxLength(255)
  issuer!: string;

  /** Our client id at the platform (Canvas: the developer key id) @example 10000000000004 */
  @IsString()
  @Length(1, 255)
  client_id!: string;

  /** @example https://sso.canvaslms.com/api/lti/authorize_redirect */
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  auth_login_url!: string;

  /** @example https://sso.canvaslms.com/login/oauth2/token */
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  token_url!: string;

  /** Only when the platform wants another audience than the token URL (Brightspace) @example https://api.brightspace.com/auth/token */
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  token_audience?: string;

  /** @example https://sso.canvaslms.com/api/lti/security/jwks */
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  jwks_url!: string;

  /** @example Hallym Canvas */
  @IsString()
  @Length(1, 100)
  display_name!: string;

  /** @example canvas */
  @IsOptional()
  @IsIn(LTI_PRODUCTS)
  @ApiProperty({ enum: LTI_PRODUCTS, required: false, example: 'canvas' })
  product?: LtiProduct;

  /** The deployments trusted from the start; others wait for approval @example ["1:6f6d8c0a2e"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_DEPLOYMENTS)
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  deployment_ids?: string[];
}

@RequestExamples<UpdatePlatformDto>({
  rename: { summary: 'Rename it', value: { display_name: 'Hallym Canvas (2027)' } },
  disable: { summary: 'Turn launches off', value: { status: 'disabled' } },
})
export class UpdatePlatformDto {
  /** @example https://sso.canvaslms.com/api/lti/authorize_redirect */
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  auth_login_url?: string;

  /** @example https://sso.canvaslms.com/login/oauth2/token */
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  token_url?: string;

  /** @example https://api.brightspace.com/auth/token */
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  token_audience?: string;

  /** @example https://sso.canvaslms.com/api/lti/security/jwks */
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2048)
  jwks_url?: string;

  /** @example Hallym Canvas (2027) */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  display_name?: string;

  /** @example canvas */
  @IsOptional()
  @IsIn(LTI_PRODUCTS)
  @ApiProperty({ enum: LTI_PRODUCTS, required: false, example: 'canvas' })
  product?: LtiProduct;

  /** `disabled` turns launches off; `active` turns them on again @example disabled */
  @IsOptional()
  @IsIn(['active', 'disabled'])
  @ApiProperty({ enum: ['active', 'disabled'], required: false, example: 'disabled' })
  status?: 'active' | 'disabled';
}

@RequestExamples<DecideDeploymentDto>({
  approve: { summary: 'Trust this deployment', value: { status: 'approved' } },
})
export class DecideDeploymentDto {
  /** @example approved */
  @IsIn(['approved', 'refused'])
  @ApiProperty({ enum: ['approved', 'refused'], example: 'approved' })
  status!: Extract<LtiDeploymentStatus, 'approved' | 'refused'>;
}

@RequestExamples<CreateRegistrationLinkDto>({
  own: { summary: 'For your own school', value: {} },
})
export class CreateRegistrationLinkDto {
  /** Super admins: the school it is for @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}
