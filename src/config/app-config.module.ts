import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_CONFIG_NAMESPACE, AppConfigService } from './app-config.service.js';
import type { EnvVars } from './env.schema.js';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * Serves the environment validated by the entry point (main.ts via loadEnvironment, or a
   * test), so several apps in one process can run with their own settings.
   */
  static forRoot(env: EnvVars): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          cache: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => ({ [APP_CONFIG_NAMESPACE]: env })],
        }),
      ],
      providers: [AppConfigService],
      exports: [AppConfigService],
    };
  }
}
