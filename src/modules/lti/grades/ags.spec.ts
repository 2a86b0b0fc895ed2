import { describe, expect, it } from '@jest/globals';
import { lineItemServiceUrl, withQuery } from './ags.js';

describe('lineItemServiceUrl', () => {
  it.each([
    // Moodle: the query string stays after the inserted segment.
    [
      'https://moodle.test/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1',
      'https://moodle.test/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1',
    ],
    // Canvas
    [
      'https://canvas.test/api/lti/courses/5/line_items/9',
      'https://canvas.test/api/lti/courses/5/line_items/9/scores',
    ],
    ['https://lms.test/items/9/', 'https://lms.test/items/9/scores'],
  ])('should put /scores in the path of %s', (lineItem, scores) => {
    expect(lineItemServiceUrl(lineItem, 'scores')).toBe(scores);
  });

  it('should do the same for results', () => {
    expect(lineItemServiceUrl('https://m.test/li/3/lineitem?type_id=4', 'results')).toBe(
      'https://m.test/li/3/lineitem/results?type_id=4',
    );
  });
});

describe('withQuery', () => {
  it('should add parameters beside the ones the URL has, leaving out undefined ones', () => {
    expect(
      withQuery('https://m.test/lineitems?type_id=1', { resource_id: 'quiz 1', tag: undefined }),
    ).toBe('https://m.test/lineitems?type_id=1&resource_id=quiz+1');
  });
});
