import { validateEnv, type EnvVars } from './env.schema.js';

/**
 * For process entry points (main.ts, the migration CLI): reads `.env` when present (existing
 * variables win), then validates the environment once.
 */
export function loadEnvironment(): EnvVars {
  try {
    process.loadEnvFile();
  } catch {
    // no .env file: the environment alone configures the process
  }
  return validateEnv(process.env);
}
