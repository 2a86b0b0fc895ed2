import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../../common/auth/access.decorator.js';
import { PublicPlanDto } from '../dto/plan.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { PlansService } from './plans.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Controller('plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @Access.public()
  @ApiOperation({ summary: 'The plans on sale, for a pricing page (public)' })
  @ApiOkResponse({ type: [PublicPlanDto] })
  list(): Promise<PublicPlanDto[]> {
    return this.plans.listPublic();
  }
}
