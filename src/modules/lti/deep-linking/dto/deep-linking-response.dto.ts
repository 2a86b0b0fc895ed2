import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsStringMap } from '../../../../common/validation/is-string-map.js';
import { RequestExamples } from '../../../../common/swagger/request-examples.js';

export const CONTENT_ITEM_TYPES = ['ltiResourceLink', 'link', 'html', 'file', 'image'] as const;
export type ContentItemType = (typeof CONTENT_ITEM_TYPES)[number];

export const MAX_ITEMS = 50;

const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** A line item the LMS creates with the link (LTI AGS): only when `accept_lineitem` is not false. */
export class DeepLinkLineItemDto {
  /** @example 100 */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  scoreMaximum!: number;

  /** @example Fractions quiz */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  label?: string;

  /** @example quiz-fractions-1 */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  resourceId?: string;

  /** @example grade */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  tag?: string;
}

/** Open in a new window (needs `window` in `accept_presentation_document_targets`). */
export class DeepLinkWindowDto {
  /** @example dreamseed */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  targetName?: string;

  /** @example 800 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  width?: number;

  /** @example 600 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  height?: number;

  /** @example menubar=no,toolbar=no */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  windowFeatures?: string;
}

/** Embed in an iframe (needs `iframe` in `accept_presentation_document_targets`). */
export class DeepLinkIframeDto {
  /** @example 800 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  width?: number;

  /** @example 600 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  height?: number;

  /** Required by the spec for `link` and `image` items in an iframe. @example https://cdn.dreamseed.example/embed/fractions */
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  src?: string;
}

export class DeepLinkImageDto {
  /** @example https://cdn.dreamseed.example/icons/fractions.png */
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  url!: string;

  /** @example 64 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  width?: number;

  /** @example 64 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  height?: number;
}

/**
 * A content item of LTI Deep Linking 2.0 §3, field names as the spec spells them. `url` is
 * required for `link`, `file` and `image`, `html` for `html`; an `ltiResourceLink`'s `url`
 * (optional) must be on this tool's origin; `custom` and `lineItem` belong to `ltiResourceLink`.
 */
export class DeepLinkContentItemDto {
  /** @example ltiResourceLink */
  @IsIn(CONTENT_ITEM_TYPES)
  type!: ContentItemType;

  /** @example Fractions: practice set 1 */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  title?: string;

  /** @example Ten exercises on adding fractions */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  text?: string;

  /** @example https://api.dreamseed.example/lti/launch */
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  url?: string;

  /** The fragment an `html` item shows. @example <p>Practise with <b>DreamSeed</b></p> */
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  html?: string;

  /** Custom parameters the LMS sends back at each launch (string values). @example { "unit": "fractions" } */
  @IsOptional()
  @IsStringMap({ maxEntries: 50, maxKeyLength: 64, maxValueLength: 1024 })
  custom?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeepLinkLineItemDto)
  lineItem?: DeepLinkLineItemDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeepLinkWindowDto)
  window?: DeepLinkWindowDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeepLinkIframeDto)
  iframe?: DeepLinkIframeDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeepLinkImageDto)
  icon?: DeepLinkImageDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => DeepLinkImageDto)
  thumbnail?: DeepLinkImageDto;

  /** A `file` item's media type. @example application/pdf */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  mediaType?: string;
}

@RequestExamples<DeepLinkingResponseDto>({
  items: {
    summary: 'One DreamSeed activity, graded out of 100',
    value: {
      items: [
        {
          type: 'ltiResourceLink',
          title: 'Fractions: practice set 1',
          custom: { unit: 'fractions' },
          lineItem: { scoreMaximum: 100, label: 'Fractions', resourceId: 'fractions-1' },
        },
      ],
    },
  },
  cancel: {
    summary: 'The teacher chose nothing',
    value: { cancel: true, message: 'Nothing was added' },
  },
})
export class DeepLinkingResponseDto {
  /** What the teacher chose (1 to 50 items; one only when the LMS does not accept several). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => DeepLinkContentItemDto)
  items?: DeepLinkContentItemDto[];

  /** The teacher chose nothing: the LMS gets an empty list. @example true */
  @IsOptional()
  @IsBoolean()
  cancel?: boolean;

  /** Shown to the teacher by the LMS (`msg`). @example Nothing was added */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  message?: string;

  /** Shown by the LMS as an error (`errormsg`). @example The activity could not be opened */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  error_message?: string;
}
