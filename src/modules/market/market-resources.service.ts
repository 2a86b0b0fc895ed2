import { Injectable } from '@nestjs/common';
import { ClassesRepository } from '../classes/classes.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import {
  mapCourse,
  type MarketResourcesQueryDto,
  type ResourcePageDto,
} from './dto/market-resources.dto.js';

/** A tenant's resources in the Service Market's generic resource shape: classes are its courses. */
@Injectable()
export class MarketResourcesService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly classes: ClassesRepository,
  ) {}

  async list(tenantId: string, query: MarketResourcesQueryDto): Promise<ResourcePageDto> {
    await this.tenants.require(tenantId);
    const type = query.type ?? 'course';
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const page = { tenant_id: tenantId, resource_type: type, limit, offset };
    if (type !== 'course') {
      // Discussions and documents live in the AI services, not here: there are none to list.
      return { ...page, total: 0, items: [] };
    }
    const courses = await this.classes.pageWithStats(tenantId, { limit, offset });
    return { ...page, total: courses.total, items: courses.items.map(mapCourse) };
  }
}
