import { describe, expect, it } from '@jest/globals';
import { readRosterPage } from './roster-page.js';

describe('readRosterPage', () => {
  it('should read members, Active unless the LMS says Inactive or Deleted', () => {
    const page = readRosterPage({
      id: 'https://lms.test/memberships',
      members: [
        { user_id: 'a', roles: ['Learner'], name: 'A', email: 'a@school.test' },
        { user_id: 'b', roles: ['Instructor'], status: 'Inactive' },
        { user_id: 'c', roles: [], status: 'Deleted' },
        { user_id: 'd', roles: ['Learner'], status: 'Something' },
      ],
    });
    expect(page.unreadable).toBe(0);
    expect(page.members.map((m) => [m.user_id, m.status])).toEqual([
      ['a', 'Active'],
      ['b', 'Inactive'],
      ['c', 'Deleted'],
      ['d', 'Active'],
    ]);
    expect(page.members[0]).toMatchObject({ name: 'A', email: 'a@school.test' });
  });

  it('should count members it cannot read instead of guessing', () => {
    const page = readRosterPage({
      members: [
        { roles: ['Learner'] },
        { user_id: '', roles: [] },
        { user_id: 42 },
        null,
        { user_id: 'x'.repeat(256) },
        { user_id: 'ok', roles: ['Learner', 7] },
      ],
    });
    expect(page.unreadable).toBe(5);
    expect(page.members).toEqual([{ user_id: 'ok', status: 'Active', roles: ['Learner'] }]);
  });

  it('should refuse a page without a members list', () => {
    expect(() => readRosterPage({ id: 'x' })).toThrow('no members list');
    expect(() => readRosterPage(null)).toThrow('no members list');
  });
});
