import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigService } from '../../config/app-config.service.js';
import { buildDataSourceOptions } from './typeorm-options.js';

/** One DataSource for the whole app; modules register their entities with forFeature. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const url = config.get('DATABASE_URL');
        if (!url) {
          throw new Error('DATABASE_URL is not resolved: main.ts starts the embedded server first');
        }
        return {
          ...buildDataSourceOptions({
            url,
            poolSize: config.get('DATABASE_POOL_SIZE'),
            runMigrations: config.get('DATABASE_MIGRATIONS_RUN'),
          }),
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
