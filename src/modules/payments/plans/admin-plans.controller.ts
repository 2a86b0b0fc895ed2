import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../../common/validation/uuid.pipe.js';
import { CreatePlanDto } from '../dto/create-plan.dto.js';
import { PlanDto } from '../dto/plan.dto.js';
import { UpdatePlanDto } from '../dto/update-plan.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { PlansService } from './plans.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Access({ roles: ['super_admin'], impersonation: 'refused' })
@Controller('admin/plans')
export class AdminPlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @ApiOperation({ summary: 'Every plan, sold or not (super admins)' })
  @ApiOkResponse({ type: [PlanDto] })
  @ApiErrors('AUTH_FORBIDDEN')
  list(): Promise<PlanDto[]> {
    return this.plans.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One plan (super admins)' })
  @ApiOkResponse({ type: PlanDto })
  @ApiErrors('AUTH_FORBIDDEN', 'PAYMENTS_PLAN_NOT_FOUND')
  get(@Param('id', UuidPipe) id: string): Promise<PlanDto> {
    return this.plans.get(id);
  }

  @Post()
  @Audited({ action: 'plan.created', resource: 'plan' })
  @ApiOperation({
    summary: 'Make a plan and its Stripe Product and Price (super admins)',
    description:
      'With `stripe_price_id`, adopts that existing Stripe price instead, after reading it back: its amount, currency and interval must agree (409 PAYMENTS_STRIPE_PRICE_MISMATCH).',
  })
  @ApiCreatedResponse({ type: PlanDto })
  @ApiErrors(
    'AUTH_FORBIDDEN',
    'PAYMENTS_STRIPE_PRICE_UNKNOWN',
    'PAYMENTS_STRIPE_PRICE_MISMATCH',
    'COMMON_CONFLICT',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  create(@Body() dto: CreatePlanDto): Promise<PlanDto> {
    return this.plans.create(dto);
  }

  @Patch(':id')
  @Audited({ action: 'plan.updated', resource: 'plan' })
  @ApiOperation({
    summary: 'Change a plan (super admins)',
    description:
      'A new amount, currency or interval creates a new Stripe Price and archives the old one; existing subscribers keep the price they have until they change plan.',
  })
  @ApiOkResponse({ type: PlanDto })
  @ApiErrors('AUTH_FORBIDDEN', 'PAYMENTS_PLAN_NOT_FOUND', 'PAYMENTS_STRIPE_UNAVAILABLE')
  update(@Param('id', UuidPipe) id: string, @Body() dto: UpdatePlanDto): Promise<PlanDto> {
    return this.plans.update(id, dto);
  }
}
