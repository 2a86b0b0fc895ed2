import { describe, expect, it } from '@jest/globals';
import { Controller, Get, Post } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { API_ERRORS_KEY } from '../errors/api-errors.decorator.js';
import { Access, declaredAccess } from './access.decorator.js';

function policyOf(controller: { prototype: object }, method: string) {
  const handler = (controller.prototype as Record<string, object>)[method] ?? {};
  return { policy: declaredAccess(handler, controller), handler };
}

describe('@Access', () => {
  it("should give a controller's policy to its routes, a route's own replacing it as a whole", () => {
    @Access({ roles: ['admin'], impersonation: 'refused' })
    @Controller('things')
    class ThingsController {
      @Get()
      list(): void {}

      @Post()
      @Access({ roles: ['teacher'] })
      create(): void {}
    }
    expect(policyOf(ThingsController, 'list').policy).toMatchObject({
      kind: 'signed_in',
      roles: ['admin'],
      impersonation: 'refused',
    });
    // Nothing of the controller's policy leaks into the route's own.
    expect(policyOf(ThingsController, 'create').policy).toEqual({
      kind: 'signed_in',
      roles: ['teacher'],
      apiKeyScopes: [],
      feature: undefined,
      impersonation: 'allowed',
      pendingPasswordChange: 'refused',
    });
  });

  it('should refuse a second declaration on one route or one controller', () => {
    expect(() => {
      @Controller('twice')
      class TwiceController {
        @Get()
        @Access.public()
        @Access({ roles: ['admin'] })
        list(): void {}
      }
      return TwiceController;
    }).toThrow('declares @Access twice');
    expect(() => {
      @Access.market()
      @Access.public()
      @Controller('twice')
      class TwiceController {}
      return TwiceController;
    }).toThrow('declares @Access twice');
  });

  it('should document the security schemes and the errors of the policy', () => {
    @Controller('docs')
    class DocsController {
      @Get('open')
      @Access.public()
      open(): void {}

      @Get('keys')
      @Access({ roles: ['admin'], apiKeyScopes: ['users:read'] })
      keys(): void {}

      @Get('market')
      @Access.market({ legacyHeader: true })
      market(): void {}
    }
    const open = policyOf(DocsController, 'open').handler;
    expect(Reflect.getMetadata(DECORATORS.API_SECURITY, open)).toBeUndefined();
    expect(Reflect.getMetadata(API_ERRORS_KEY, open)).toEqual([]);
    const keys = policyOf(DocsController, 'keys').handler;
    expect(Reflect.getMetadata(DECORATORS.API_SECURITY, keys)).toEqual([
      { bearer: [] },
      { 'api-key': [] },
    ]);
    expect(Reflect.getMetadata(API_ERRORS_KEY, keys)).toEqual(
      expect.arrayContaining([
        'AUTH_FORBIDDEN',
        'API_KEY_SCOPE_MISSING',
        'TENANT_FEATURE_DISABLED',
      ]),
    );
    expect(Reflect.getMetadata(API_ERRORS_KEY, keys)).not.toContain('API_KEY_NOT_ACCEPTED');
    const market = policyOf(DocsController, 'market').handler;
    expect(Reflect.getMetadata(DECORATORS.API_SECURITY, market)).toEqual([
      { 'market-api-key': [] },
      { 'api-key': [] },
      { bearer: [] },
    ]);
  });
});
