import { Injectable, Module } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service.js';
import { sendUnprepared } from './sql.js';
import { buildDataSourceOptions } from './typeorm-options.js';

/** Applies `DATABASE_PREPARED_STATEMENTS` to the app's DataSource, before any request. */
@Injectable()
class PreparedStatementsSetting {
  constructor(@InjectDataSource() dataSource: DataSource, config: AppConfigService) {
    if (!config.get('DATABASE_PREPARED_STATEMENTS')) {
      sendUnprepared(dataSource);
    }
  }
}

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
  providers: [PreparedStatementsSetting],
})
export class DatabaseModule {}
