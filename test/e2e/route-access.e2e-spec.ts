import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as ApiKeyScopesModule from '../../src/common/auth/api-key-scopes.js';
import type * as RouteTableModule from '../fixtures/route-table.js';
import { loadCompiled } from '../support/compiled.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { API_KEY_SCOPES } = await loadCompiled<typeof ApiKeyScopesModule>(
  'src/common/auth/api-key-scopes.ts',
);
const { routeTable } = await loadCompiled<typeof RouteTableModule>('test/fixtures/route-table.ts');

describe('access declared on every route', () => {
  let t: TestApp;
  let routes: RouteTableModule.RouteEntry[];

  beforeAll(async () => {
    t = await startTestApp();
    routes = routeTable(t.app);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should find the routes of the app (the walk itself works)', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.map((route) => route.name)).toEqual(
      expect.arrayContaining(['UserAdminController.list', 'AuthController.login']),
    );
  });

  it('should fail for a route that declares no @Access', () => {
    expect(routes.filter((route) => !route.policy).map((route) => route.name)).toEqual([]);
  });

  it('should open to anonymous callers only the routes meant to be public', () => {
    const open = routes
      .filter((route) => route.policy?.kind === 'public')
      .map((route) => route.name)
      .sort();
    expect(open).toEqual(
      [
        'AuthController.exchange',
        'AuthController.forgotPassword',
        'AuthController.login',
        'AuthController.refresh',
        'AuthController.register',
        'AuthController.resendVerification',
        'AuthController.resetPassword',
        'AuthController.verifyEmail',
        'DynamicRegistrationController.register',
        'GoogleAuthController.callback',
        'GoogleAuthController.start',
        'KakaoAuthController.callback',
        'KakaoAuthController.start',
        'MicrosoftAuthController.callback',
        'MicrosoftAuthController.start',
        'NaverAuthController.callback',
        'NaverAuthController.start',
        'SignInProvidersController.list',
        'HealthController.liveness',
        'HealthController.readiness',
        'InvitationsController.accept',
        'JwksController.jwks',
        'LtiJwksController.jwks',
        'LtiLaunchController.launch',
        'LtiLaunchController.loginByGet',
        'LtiLaunchController.loginByPost',
        'LtiLaunchController.storageScript',
        'LtiToolConfigurationController.configuration',
        'MarketHealthController.health',
        'MetricsController.render',
        'PlansController.list',
        'StatusController.get',
        // Anyone may post; only a body signed with a webhook secret is stored.
        'StripeWebhookController.receive',
      ].sort(),
    );
  });

  it('should have every grantable API key scope accepted by some route', () => {
    const accepted = new Set(
      routes.flatMap((route) =>
        route.policy?.kind === 'signed_in' ? route.policy.apiKeyScopes : [],
      ),
    );
    expect(API_KEY_SCOPES.filter((scope) => !accepted.has(scope))).toEqual([]);
  });

  it('should document on each route the errors its access policy can answer with', () => {
    const undocumented = routes.filter(
      (route) =>
        route.policy?.kind === 'signed_in' &&
        !['AUTH_UNAUTHENTICATED', 'AUTH_TOKEN_INVALID'].every((code) =>
          route.documentedErrors.includes(code),
        ),
    );
    expect(undocumented.map((route) => route.name)).toEqual([]);
  });
});

describe('a route without an access declaration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      fixtures: ['test/fixtures/undeclared-probe.module.ts#UndeclaredProbeModule'],
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should be named by the route walk, and still refuse anonymous callers', async () => {
    const undeclared = routeTable(t.app).filter((route) => !route.policy);
    expect(undeclared.map((route) => route.name)).toEqual(['UndeclaredProbeController.forgotten']);
    const response = await requestJson(`${t.baseUrl}/api/v1/undeclared-probe`);
    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('AUTH_UNAUTHENTICATED');
  });
});
