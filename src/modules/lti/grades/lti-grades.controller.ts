import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../../../common/auth/current-principal.decorator.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../../common/validation/uuid.pipe.js';
import {
  CreateLineItemDto,
  LineItemDto,
  LineItemListDto,
  RetriedScoresDto,
} from './dto/line-item.dto.js';
import {
  LineItemResultListDto,
  ScoreListDto,
  SubmitScoreDto,
  SubmittedScoreDto,
} from './dto/score.dto.js';
import { LtiLineItems } from './lti-line-items.service.js';
import { LtiScores } from './lti-scores.service.js';

const COURSE_ERRORS = ['CLASS_NOT_FOUND', 'AUTH_FORBIDDEN', 'LTI_CONTEXT_NOT_FOUND'] as const;
const PLATFORM_ERRORS = [
  'LTI_PLATFORM_ERROR',
  'LTI_PLATFORM_UNREACHABLE',
  'LTI_TOKEN_REFUSED',
] as const;

@ApiTags('lti')
@Access({ roles: ['teacher', 'admin'] })
@Controller('lti/contexts/:classId')
export class LtiGradesController {
  constructor(
    private readonly lineItems: LtiLineItems,
    private readonly scores: LtiScores,
  ) {}

  @Get('line-items')
  @ApiOperation({
    summary: "The class's LMS gradebook columns, with their scores pending, sent and failed",
  })
  @ApiOkResponse({ type: LineItemListDto })
  @ApiErrors(...COURSE_ERRORS)
  list(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
  ): Promise<LineItemListDto> {
    return this.lineItems.list(caller, classId);
  }

  @Post('line-items')
  @Audited({ action: 'lti.line_item_created', resource: 'lti_line_item' })
  @ApiOperation({
    summary: 'Create or find a gradebook column in the LMS course (AGS line item)',
    description:
      "The class's teachers and the school's admins. With `resource_id` (and `tag`) it is idempotent: the column already made, here or at the LMS, is answered (200) instead of a new one (201).",
  })
  @ApiCreatedResponse({ type: LineItemDto })
  @ApiOkResponse({ type: LineItemDto, description: 'The column already existed' })
  @ApiErrors(...COURSE_ERRORS, 'LTI_SERVICE_NOT_OFFERED', ...PLATFORM_ERRORS)
  async create(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
    @Body() dto: CreateLineItemDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LineItemDto> {
    const { item, created } = await this.lineItems.createOrFind(caller, classId, dto);
    reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return item;
  }

  @Post('scores')
  @HttpCode(HttpStatus.ACCEPTED)
  @Access({ roles: ['teacher', 'admin'], apiKeyScopes: ['lti:grades'] })
  @ApiOperation({
    summary: "Send a student's score to the LMS gradebook",
    description:
      "The class's teachers, the school's admins, or our services with an API key of the school holding `lti:grades`. The score is kept, then published by a job (retried with backoff on the LMS's 5xx and 429). The newest grading per student wins: one older than the score held (`timestamp`) is answered with `accepted: false` and changes nothing. The student must be in the class and known to the LMS (launched, or synced from its roster).",
  })
  @ApiAcceptedResponse({ type: SubmittedScoreDto })
  @ApiErrors(
    ...COURSE_ERRORS,
    'LTI_LINE_ITEM_NOT_FOUND',
    'LTI_SERVICE_NOT_OFFERED',
    'LTI_SCORE_NOT_IN_CLASS',
    'LTI_SCORE_NO_IDENTITY',
  )
  submit(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
    @Body() dto: SubmitScoreDto,
  ): Promise<SubmittedScoreDto> {
    return this.scores.submit(caller, classId, dto);
  }

  @Get('line-items/:lineItemId/scores')
  @ApiOperation({
    summary: 'Scores of a column as we hold them: pending, sent or failed, with the last error',
  })
  @ApiOkResponse({ type: ScoreListDto })
  @ApiErrors(...COURSE_ERRORS, 'LTI_LINE_ITEM_NOT_FOUND')
  listScores(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
    @Param('lineItemId', UuidPipe) lineItemId: string,
  ): Promise<ScoreListDto> {
    return this.scores.list(caller, classId, lineItemId);
  }

  @Post('line-items/:lineItemId/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @Audited({ action: 'lti.scores_retried', resource: 'lti_line_item', idParam: 'lineItemId' })
  @ApiOperation({ summary: "Send a column's failed scores to the LMS again" })
  @ApiAcceptedResponse({ type: RetriedScoresDto })
  @ApiErrors(...COURSE_ERRORS, 'LTI_LINE_ITEM_NOT_FOUND')
  retry(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
    @Param('lineItemId', UuidPipe) lineItemId: string,
  ): Promise<RetriedScoresDto> {
    return this.scores.retryFailed(caller, classId, lineItemId);
  }

  @Get('line-items/:lineItemId/results')
  @ApiOperation({ summary: 'What the LMS gradebook holds for a column (AGS results)' })
  @ApiOkResponse({ type: LineItemResultListDto })
  @ApiErrors(
    ...COURSE_ERRORS,
    'LTI_LINE_ITEM_NOT_FOUND',
    'LTI_SERVICE_NOT_OFFERED',
    ...PLATFORM_ERRORS,
  )
  results(
    @CurrentPrincipal() caller: Principal,
    @Param('classId', UuidPipe) classId: string,
    @Param('lineItemId', UuidPipe) lineItemId: string,
  ): Promise<LineItemResultListDto> {
    return this.scores.results(caller, classId, lineItemId);
  }
}
