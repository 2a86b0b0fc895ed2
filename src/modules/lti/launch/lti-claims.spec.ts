import { describe, expect, it } from '@jest/globals';
import { mapRoles } from './lti-claims.js';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#';

describe('mapRoles', () => {
  it.each([
    [[`${MEMBERSHIP}Learner`], 'student', 'student'],
    [[`${MEMBERSHIP}Instructor`], 'teacher', 'teacher'],
    [['Instructor'], 'teacher', 'teacher'],
    [[`${MEMBERSHIP}ContentDeveloper`], 'teacher', 'teacher'],
    [
      [`http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant`],
      'teacher',
      'assistant',
    ],
    [[`${MEMBERSHIP}Learner`, `${MEMBERSHIP}Instructor`], 'teacher', 'teacher'],
    [[`${MEMBERSHIP}Administrator`], 'admin', 'teacher'],
    [[`${INSTITUTION}Administrator`, `${MEMBERSHIP}Learner`], 'admin', 'teacher'],
    [[`${MEMBERSHIP}Mentor`], 'student', 'student'],
    [[`${INSTITUTION}Instructor`], 'teacher', 'teacher'],
    [['http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin'], 'student', 'student'],
    [[], 'student', 'student'],
  ])('should read %j as a %s (class role %s)', (roles, tenantRole, classRole) => {
    expect(mapRoles(roles)).toMatchObject({ tenantRole, classRole });
  });

  it('should read context roles before institution roles', () => {
    expect(mapRoles([`${INSTITUTION}Instructor`, `${MEMBERSHIP}Learner`])).toEqual({
      tenantRole: 'student',
      classRole: 'student',
      from: 'Learner',
    });
  });
});
