import type { Strategy } from 'passport';

export type StrategyOutcome =
  | { kind: 'success'; user: unknown; info: unknown }
  | { kind: 'fail'; info: unknown }
  | { kind: 'redirect'; url: string }
  | { kind: 'error'; error: unknown };

interface StrategyAttempt {
  authenticate(request: unknown, options: object): void;
  success(user: unknown, info?: unknown): void;
  fail(info?: unknown): void;
  redirect(url: string): void;
  pass(): void;
  error(error: unknown): void;
}

/**
 * Runs a passport strategy once, the way `passport.authenticate` does, on the app's own
 * instance: passport's registry is process-wide, so two apps in one process would share it.
 */
export function runStrategy(
  strategy: Strategy,
  request: unknown,
  options: object = {},
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(strategy) as StrategyAttempt;
    attempt.success = (user, info) => resolve({ kind: 'success', user, info });
    attempt.fail = (info) => resolve({ kind: 'fail', info });
    attempt.redirect = (url) => resolve({ kind: 'redirect', url });
    attempt.pass = () => resolve({ kind: 'fail', info: undefined });
    attempt.error = (error) => resolve({ kind: 'error', error });
    attempt.authenticate(request, options);
  });
}
