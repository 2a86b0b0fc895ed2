import { describe, expect, it } from '@jest/globals';
import { isMutating, outcomeFor, resourceFromRoute } from './audit-context.js';

describe('audit context', () => {
  it('should derive the resource from the route template', () => {
    expect(resourceFromRoute('/api/v1/users/:id/unlock')).toBe('users');
    expect(resourceFromRoute('/mt/tenant/:id/activate')).toBe('tenant');
    expect(resourceFromRoute('/api/v1/:id')).toBeNull();
  });

  it('should classify outcomes by status code', () => {
    expect([200, 201, 204, 302].map(outcomeFor)).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect([401, 403].map(outcomeFor)).toEqual(['denied', 'denied']);
    expect([400, 404, 409, 429].map(outcomeFor)).toEqual([
      'failure',
      'failure',
      'failure',
      'failure',
    ]);
    expect([500, 503].map(outcomeFor)).toEqual(['error', 'error']);
  });

  it('should treat only POST, PUT, PATCH and DELETE as mutating', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].every(isMutating)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isMutating)).toBe(false);
  });
});
