import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_CONFIG_NAMESPACE, AppConfigService } from './app-config.service.js';
import { validateEnv } from './env.schema.js';

export type EnvOverrides = Record<string, string | undefined>;

@Global()
@Module({})
export class AppConfigModule {
  /**
   * Validates process.env (plus `.env` when present) once at boot. `overrides` lets tests and
   * the CLI data source start the app with explicit settings without touching process.env.
   */
  static forRoot(overrides: EnvOverrides = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          cache: true,
          skipProcessEnv: true,
          load: [() => ({ [APP_CONFIG_NAMESPACE]: validateEnv({ ...process.env, ...overrides }) })],
        }),
      ],
      providers: [AppConfigService],
      exports: [AppConfigService],
    };
  }
}
