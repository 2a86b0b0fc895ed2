import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { addClassMember, createClass } from '../factories/classes.js';
import { exchangeLaunch, registerPlatform, type LtiSignedIn } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson } from '../support/http.js';
import { LTI_ROLE, LtiPlatform } from '../support/lti-platform.js';
import { LTI_SCOPE } from '../support/lti-platform-services.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';
const SCORE_MEDIA_TYPE = 'application/vnd.ims.lis.v1.score+json';

interface LineItem {
  id: string;
  url: string;
  label: string;
  score_maximum: number;
  resource_id: string | null;
  tag: string | null;
  scores_pending: number;
  scores_sent: number;
  scores_failed: number;
}

interface Score {
  id: string;
  user_id: string;
  score_given: number | null;
  status: string;
  attempts: number;
  last_error: string | null;
  graded_at: string;
}

type Signed = LtiSignedIn;

describe('LTI grades to the LMS gradebook (Assignment and Grade Services 2.0)', () => {
  let t: TestApp;
  let moodle: LtiPlatform;
  let school: string;
  let otherAdmin: Tokens;
  let teacher: Signed;
  let classId: string;
  const students: Signed[] = [];

  beforeAll(async () => {
    const [toolPort, moodlePort] = [await freePort(), await freePort()];
    const toolUrl = `http://127.0.0.1:${toolPort}`;
    moodle = new LtiPlatform({
      port: moodlePort,
      clientId: 'moodle-client',
      toolUrl,
      deploymentId: 'dep-1',
    });
    await moodle.start();
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: FRONTEND, LTI_RETRY_DELAY_MS: '50' },
    });
    school = await createTenant(t);
    const otherSchool = await createTenant(t);
    otherAdmin = await login(t, await createUser(t, { tenant: otherSchool, role: 'admin' }));
    await registerPlatform(t, school, {
      issuer: moodle.issuer,
      clientId: 'moodle-client',
      authLoginUrl: moodle.authLoginUrl,
      tokenUrl: moodle.tokenUrl,
      jwksUrl: moodle.jwksUrl,
      deploymentIds: ['dep-1'],
    });
    moodle.setRoster('math', [
      { user_id: 'math-teacher', roles: [LTI_ROLE.instructor] },
      ...Array.from({ length: 12 }, (_, i) => ({
        user_id: `math-${i}`,
        roles: [LTI_ROLE.learner],
      })),
    ]);
    teacher = await launch('math-teacher', [LTI_ROLE.instructor]);
    classId = teacher.lti_launch.class_id;
    for (let i = 0; i < 12; i += 1) {
      students.push(await launch(`math-${i}`, [LTI_ROLE.learner]));
    }
  });

  afterAll(async () => {
    await t.close();
    await moodle.stop();
  });

  function launch(sub: string, roles: string[]): Promise<Signed> {
    return launchInto(sub, roles, 'math');
  }

  async function launchInto(sub: string, roles: string[], contextId: string): Promise<Signed> {
    return exchangeLaunch(
      t,
      await moodle.driveLaunch(
        moodle.prepareLaunch({
          user: { sub, name: `Person ${sub}` },
          roles,
          context: { id: contextId, label: contextId.toUpperCase(), title: `Course ${contextId}` },
          resourceLink: { id: `link-${contextId}` },
        }),
      ),
    );
  }

  const api = <T>(token: string | undefined, method: string, path: string, json?: unknown) =>
    requestJson<T & { error_code?: string }>(`${t.baseUrl}/api/v1/lti/contexts/${path}`, {
      method,
      json,
      headers: token ? bearer(token) : {},
    });

  const createLineItem = (token: string, body: Record<string, unknown>) =>
    api<LineItem>(token, 'POST', `${classId}/line-items`, body);

  const submit = (token: string, body: Record<string, unknown>, target = classId) =>
    api<{ score: Score; accepted: boolean }>(token, 'POST', `${target}/scores`, body);

  const scoresOf = async (lineItemId: string) =>
    (
      await api<{ items: Score[] }>(
        teacher.access_token,
        'GET',
        `${classId}/line-items/${lineItemId}/scores`,
      )
    ).body.items;

  /** Waits until no score of the line item is pending. */
  const drained = async (lineItemId: string): Promise<Score[]> => {
    for (let i = 0; i < 300; i += 1) {
      const items = await scoresOf(lineItemId);
      if (items.length > 0 && items.every((score) => score.status !== 'pending')) {
        return items;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`scores still pending: ${JSON.stringify(await scoresOf(lineItemId))}`);
  };

  const graded = (userId: string, lineItemId: string, extra: Record<string, unknown> = {}) => ({
    line_item_id: lineItemId,
    user_id: userId,
    score_given: 17,
    score_maximum: 20,
    activity_progress: 'Completed',
    grading_progress: 'FullyGraded',
    ...extra,
  });

  let quiz: LineItem;

  it('should create a gradebook column once per resource_id and tag, on the Moodle-style URL', async () => {
    const created = await createLineItem(teacher.access_token, {
      label: 'Fractions quiz',
      score_maximum: 20,
      resource_id: 'quiz-1',
      tag: 'quiz',
    });
    expect(created.status).toBe(201);
    quiz = created.body;
    expect(quiz.url).toMatch(
      /\/mod\/lti\/services\.php\/math\/lineitems\/\d+\/lineitem\?type_id=1$/,
    );
    const again = await createLineItem(teacher.access_token, {
      label: 'Fractions quiz',
      score_maximum: 20,
      resource_id: 'quiz-1',
      tag: 'quiz',
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(quiz.id);
    expect(moodle.lineItems('math').filter((item) => item.resourceId === 'quiz-1')).toHaveLength(1);

    // A column the teacher made in the gradebook is adopted, not made twice.
    const made = moodle.createLineItem('math', {
      label: 'Homework 3',
      scoreMaximum: 10,
      resourceId: 'hw-3',
      tag: 'homework',
    });
    const adopted = await createLineItem(teacher.access_token, {
      label: 'Homework 3',
      score_maximum: 10,
      resource_id: 'hw-3',
      tag: 'homework',
    });
    expect(adopted.status).toBe(200);
    expect(adopted.body.url).toBe(made.id);
    expect(moodle.lineItems('math').filter((item) => item.resourceId === 'hw-3')).toHaveLength(1);

    const listed = await api<{ items: LineItem[] }>(
      teacher.access_token,
      'GET',
      `${classId}/line-items`,
    );
    expect(listed.body.items.map((item) => item.resource_id)).toEqual(['quiz-1', 'hw-3']);
  });

  it("should send a score to {lineitem}/scores before the query string, with the student's LMS id, the values and the score media type", async () => {
    moodle.clearServiceRecords();
    const response = await submit(
      teacher.access_token,
      graded(students[0].user.id, quiz.id, { comment: 'Well done' }),
    );
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: true, score: { status: 'pending' } });
    const [score] = await drained(quiz.id);
    expect(score).toMatchObject({ status: 'sent', attempts: 1, last_error: null });

    const received = moodle.receivedScores();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      outcome: 'stored',
      contentType: SCORE_MEDIA_TYPE,
      authorization: expect.stringMatching(/^Bearer \S+$/),
      userAgent: expect.stringMatching(/LTI 1\.3 tool/),
    });
    expect(received[0]?.body).toEqual({
      userId: 'math-0',
      scoreGiven: 17,
      scoreMaximum: 20,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: score?.graded_at,
      comment: 'Well done',
    });
    const post = moodle.serviceRequests.find((request) => request.method === 'POST');
    expect(post?.url).toMatch(/\/lineitem\/scores\?type_id=1$/);
    // Only the score scope was asked for.
    expect(moodle.tokenRequests.filter((r) => r.status === 200).map((r) => r.scopes)).toEqual([
      [LTI_SCOPE.score],
    ]);

    const results = await api<{ items: Array<Record<string, unknown>> }>(
      teacher.access_token,
      'GET',
      `${classId}/line-items/${quiz.id}/results`,
    );
    expect(results.status).toBe(200);
    expect(results.body.items).toEqual([
      {
        user_id: students[0].user.id,
        lms_user_id: 'math-0',
        result_score: 17,
        result_maximum: 20,
        comment: 'Well done',
      },
    ]);
  });

  it('should never let an older grading overwrite a newer one, and send one grading once', async () => {
    moodle.clearServiceRecords();
    const student = students[1].user.id;
    const newer = new Date(Date.now() - 1_000).toISOString();
    const older = new Date(Date.now() - 60_000).toISOString();
    expect(
      (
        await submit(
          teacher.access_token,
          graded(student, quiz.id, { score_given: 19, timestamp: newer }),
        )
      ).body.accepted,
    ).toBe(true);
    const late = await submit(
      teacher.access_token,
      graded(student, quiz.id, { score_given: 5, timestamp: older }),
    );
    expect(late.status).toBe(202);
    expect(late.body).toMatchObject({ accepted: false, score: { score_given: 19 } });
    // The same grading again is not news either.
    const repeated = await submit(
      teacher.access_token,
      graded(student, quiz.id, { score_given: 19, timestamp: newer }),
    );
    expect(repeated.body.accepted).toBe(false);
    await drained(quiz.id);

    const sent = moodle
      .receivedScores()
      .filter((r) => (r.body as { userId: string }).userId === 'math-1');
    expect(sent.map((r) => (r.body as { scoreGiven: number }).scoreGiven)).toEqual([19]);
    expect(
      moodle.results(moodle.lineItems('math')[0].id).find((r) => r.userId === 'math-1')
        ?.resultScore,
    ).toBe(19);
  });

  it('should retry a publication the LMS failed (5xx, 429) and send it once it answers', async () => {
    moodle.clearServiceRecords();
    moodle.failNext({ path: /\/scores/, status: 503, times: 1 });
    moodle.failNext({ path: /\/scores/, status: 429, times: 1, retryAfter: 0 });
    await submit(teacher.access_token, graded(students[2].user.id, quiz.id));
    const scores = await drained(quiz.id);
    expect(scores.find((s) => s.user_id === students[2].user.id)).toMatchObject({
      status: 'sent',
      attempts: 3,
    });
    const stored = moodle.receivedScores().filter((r) => r.outcome === 'stored');
    expect(stored).toHaveLength(1);
    expect(
      moodle.serviceRequests.filter((r) => r.url.includes('/scores')).map((r) => r.status),
    ).toEqual([503, 429, 200]);
  });

  it("should try a score again no sooner than the LMS's Retry-After asks", async () => {
    moodle.clearServiceRecords();
    moodle.failNext({ path: /\/scores/, status: 429, times: 1, retryAfter: 2 });
    await submit(teacher.access_token, graded(students[3].user.id, quiz.id));
    const scores = await drained(quiz.id);
    expect(scores.find((s) => s.user_id === students[3].user.id)).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
    const tries = moodle.serviceRequests.filter((r) => r.url.includes('/scores'));
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    // LTI_RETRY_DELAY_MS is 50 here: only the Retry-After explains the wait.
    expect(tries[1].at.getTime() - tries[0].at.getTime()).toBeGreaterThanOrEqual(1900);
  });

  it('should ask for a token once for many scores, and once more when the LMS refuses the one held (401)', async () => {
    const homework = await createLineItem(teacher.access_token, {
      label: 'Homework 4',
      score_maximum: 10,
      resource_id: 'hw-4',
    });
    // The token held is refused from now on: the calls get 401, one new token, and go through.
    await moodle.revokeServiceTokens();
    moodle.clearServiceRecords();
    const tokenCalls = () => moodle.tokenRequests.filter((r) => r.status === 200).length;
    await Promise.all(
      students
        .slice(3, 11)
        .map((student) =>
          submit(
            teacher.access_token,
            graded(student.user.id, homework.body.id, { score_given: 8, score_maximum: 10 }),
          ),
        ),
    );
    await drained(homework.body.id);
    expect(moodle.receivedScores().filter((r) => r.outcome === 'stored')).toHaveLength(8);
    expect(tokenCalls()).toBe(1);
    // Every client assertion is new (the LMS refuses a jti it has seen).
    const jtis = moodle.tokenRequests.map((r) => r.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    const statuses = moodle.serviceRequests
      .filter((r) => r.url.includes('/scores'))
      .map((r) => r.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(8);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(1);

    // The new token is held: more scores ask for none.
    moodle.clearServiceRecords();
    await Promise.all(
      students
        .slice(3, 7)
        .map((student) =>
          submit(
            teacher.access_token,
            graded(student.user.id, homework.body.id, { score_given: 9, score_maximum: 10 }),
          ),
        ),
    );
    await drained(homework.body.id);
    expect(moodle.receivedScores().filter((r) => r.outcome === 'stored')).toHaveLength(4);
    expect(tokenCalls()).toBe(0);
  });

  it('should fetch a new token once the cached one expires', async () => {
    const ttl = moodle.serviceTokenTtlSeconds;
    moodle.serviceTokenTtlSeconds = 2;
    try {
      // The cached token is refused; the new one lives 2 s.
      await moodle.revokeServiceTokens();
      const item = await createLineItem(teacher.access_token, {
        label: 'Quiz 5',
        score_maximum: 5,
        resource_id: 'quiz-5',
      });
      await submit(
        teacher.access_token,
        graded(students[0].user.id, item.body.id, { score_given: 4, score_maximum: 5 }),
      );
      await drained(item.body.id);
      const firstJti = moodle.tokenRequests.filter((r) => r.status === 200).at(-1)?.jti;
      expect(firstJti).toEqual(expect.any(String));
      moodle.clearServiceRecords();
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      await submit(
        teacher.access_token,
        graded(students[1].user.id, item.body.id, { score_given: 3, score_maximum: 5 }),
      );
      await drained(item.body.id);
      const issued = moodle.tokenRequests.filter((r) => r.status === 200);
      expect(issued).toHaveLength(1);
      // A new assertion, not the one that got the expired token.
      expect(issued[0]?.jti).toEqual(expect.any(String));
      expect(issued[0]?.jti).not.toBe(firstJti);
      // The expired token was never presented: no 401 on the way.
      expect(
        moodle.serviceRequests.filter((r) => r.url.includes('/scores')).map((r) => r.status),
      ).toEqual([200]);
    } finally {
      moodle.serviceTokenTtlSeconds = ttl;
    }
  });

  it('should keep a refused publication failed with the LMS message, and send it again on retry', async () => {
    const student = students[4].user.id;
    moodle.failNext({
      path: /\/scores/,
      status: 400,
      body: { error: 'invalid', message: 'Grades are locked' },
    });
    await submit(teacher.access_token, graded(student, quiz.id, { score_given: 11 }));
    const failed = (await drained(quiz.id)).find((s) => s.user_id === student);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.last_error).toContain('Grades are locked');
    const listed = await api<{ items: LineItem[] }>(
      teacher.access_token,
      'GET',
      `${classId}/line-items`,
    );
    expect(listed.body.items.find((item) => item.id === quiz.id)?.scores_failed).toBe(1);

    const retried = await api<{ queued: number }>(
      teacher.access_token,
      'POST',
      `${classId}/line-items/${quiz.id}/retry`,
    );
    expect(retried.status).toBe(202);
    expect(retried.body.queued).toBe(1);
    expect((await drained(quiz.id)).find((s) => s.user_id === student)).toMatchObject({
      status: 'sent',
      last_error: null,
    });
  });

  it('should accept scores from our services with a school API key holding lti:grades, and no other key', async () => {
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const key = async (scopes: string[], token = admin.access_token) =>
      (
        await requestJson<{ key: string }>(`${t.baseUrl}/api/v1/api-keys`, {
          method: 'POST',
          headers: bearer(token),
          json: { name: 'Grader', scopes },
        })
      ).body.key;
    const withKey = (apiKey: string) =>
      requestJson<{ error_code?: string; accepted?: boolean }>(
        `${t.baseUrl}/api/v1/lti/contexts/${classId}/scores`,
        {
          method: 'POST',
          headers: { 'x-api-key': apiKey },
          json: graded(students[5].user.id, quiz.id, { score_given: 15 }),
        },
      );
    const granted = await withKey(await key(['lti:grades']));
    expect(granted.status).toBe(202);
    expect(granted.body.accepted).toBe(true);
    const other = await withKey(await key(['users:read']));
    expect(other.status).toBe(403);
    expect(other.body.error_code).toBe('API_KEY_SCOPE_MISSING');
    const foreign = await withKey(await key(['lti:grades'], otherAdmin.access_token));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error_code).toBe('CLASS_NOT_FOUND');
  });

  it('should refuse a student the LMS does not know, someone outside the class, and bad input, writing nothing', async () => {
    const native = await createUser(t, { tenant: school, role: 'student' });
    await addClassMember(t, classId, native.id, 'student');
    const outsider = await createUser(t, { tenant: school, role: 'student' });
    const count = async () =>
      (await query<{ n: number }>(t.databaseUrl, `SELECT count(*)::int AS n FROM lti_scores`))[0]
        ?.n;
    const before = await count();
    const jobs = moodle.receivedScores().length;

    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['no LTI identity', graded(native.id, quiz.id), 422, 'LTI_SCORE_NO_IDENTITY'],
      ['not in the class', graded(outsider.id, quiz.id), 422, 'LTI_SCORE_NOT_IN_CLASS'],
      [
        'unknown line item',
        graded(native.id, '00000000-0000-4000-8000-000000000000'),
        404,
        'LTI_LINE_ITEM_NOT_FOUND',
      ],
      [
        'score without maximum',
        graded(native.id, quiz.id, { score_maximum: undefined }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'negative score',
        graded(native.id, quiz.id, { score_given: -1 }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'unknown progress',
        graded(native.id, quiz.id, { activity_progress: 'Done' }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a date that is not one',
        graded(native.id, quiz.id, { timestamp: 'yesterday' }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a grading in the future',
        graded(native.id, quiz.id, { timestamp: new Date(Date.now() + 3_600_000).toISOString() }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
      ['user id not a uuid', graded('math-3', quiz.id), 400, 'COMMON_VALIDATION_FAILED'],
      [
        'a field we do not know',
        graded(native.id, quiz.id, { extra: 1 }),
        400,
        'COMMON_VALIDATION_FAILED',
      ],
    ];
    for (const [why, body, status, code] of cases) {
      const response = await submit(teacher.access_token, body);
      expect({ why, status: response.status, code: response.body.error_code }).toEqual({
        why,
        status,
        code,
      });
    }
    const badItems: Array<[string, Record<string, unknown>]> = [
      ['no label', { score_maximum: 10 }],
      ['zero maximum', { label: 'x', score_maximum: 0 }],
      ['maximum as text', { label: 'x', score_maximum: '10' }],
      ['blank label', { label: '   ', score_maximum: 10 }],
    ];
    const itemsBefore = moodle.lineItems('math').length;
    for (const [why, body] of badItems) {
      const response = await createLineItem(teacher.access_token, body);
      expect({ why, status: response.status, code: response.body.error_code }).toEqual({
        why,
        status: 400,
        code: 'COMMON_VALIDATION_FAILED',
      });
    }
    expect(moodle.lineItems('math')).toHaveLength(itemsBefore);
    expect(await count()).toBe(before);
    expect(moodle.receivedScores()).toHaveLength(jobs);
  });

  it('should refuse the wrong role, class or school on every grades route', async () => {
    const student = students[6];
    const otherTeacher = await login(t, await createUser(t, { tenant: school, role: 'teacher' }));
    const schoolAdmin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const plainClass = await createClass(t, { tenant: school });
    const before = moodle.lineItems('math').length;
    const routes: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['GET', 'line-items', undefined],
      ['POST', 'line-items', { label: 'Sneaky', score_maximum: 1 }],
      ['POST', 'scores', graded(student.user.id, quiz.id, { score_given: 20 })],
      ['GET', `line-items/${quiz.id}/scores`, undefined],
      ['POST', `line-items/${quiz.id}/retry`, undefined],
      ['GET', `line-items/${quiz.id}/results`, undefined],
    ];
    const callers: Array<[string, string | undefined, string, number, string]> = [
      ['a student of the class', student.access_token, classId, 403, 'AUTH_FORBIDDEN'],
      [
        'a teacher of the school, not of the class',
        otherTeacher.access_token,
        classId,
        403,
        'AUTH_FORBIDDEN',
      ],
      ["another school's admin", otherAdmin.access_token, classId, 404, 'CLASS_NOT_FOUND'],
      ['anyone signed out', undefined, classId, 401, 'AUTH_UNAUTHENTICATED'],
      [
        'a class not made from an LMS course',
        schoolAdmin.access_token,
        plainClass.id,
        404,
        'LTI_CONTEXT_NOT_FOUND',
      ],
    ];
    for (const [who, token, target, status, code] of callers) {
      for (const [method, path, body] of routes) {
        const response = await api(token, method, `${target}/${path}`, body);
        expect({
          who,
          method,
          path,
          status: response.status,
          code: response.body.error_code,
        }).toEqual({
          who,
          method,
          path,
          status,
          code,
        });
      }
    }
    // A line item of one LMS class is not found under another class of the same teacher.
    const biology = await launchInto('math-teacher', [LTI_ROLE.instructor], 'bio');
    const crossed = await api(
      biology.access_token,
      'GET',
      `${biology.lti_launch.class_id}/line-items/${quiz.id}/scores`,
    );
    expect(crossed.status).toBe(404);
    expect(crossed.body.error_code).toBe('LTI_LINE_ITEM_NOT_FOUND');
    expect(
      (await api(teacher.access_token, 'GET', `${classId}/line-items/not-a-uuid/scores`)).status,
    ).toBe(400);
    expect(moodle.lineItems('math')).toHaveLength(before);
    const [{ n }] = await query<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM lti_scores WHERE user_id = $1 AND score_given = 20`,
      [student.user.id],
    );
    expect(n).toBe(0);
  });

  it('should make one gradebook column when two instances are asked for the same resource and tag at once', async () => {
    const second = await startTestApp({
      databaseUrl: t.databaseUrl,
      env: { PUBLIC_URL: t.baseUrl, FRONTEND_URL: FRONTEND, LTI_RETRY_DELAY_MS: '50' },
    });
    try {
      const body = { label: 'Race quiz', score_maximum: 5, resource_id: 'race-1', tag: 'quiz' };
      const create = (app: TestApp) =>
        requestJson<LineItem>(`${app.baseUrl}/api/v1/lti/contexts/${classId}/line-items`, {
          method: 'POST',
          json: body,
          headers: bearer(teacher.access_token),
        });
      const answers = await Promise.all([t, second, t, second, t, second].map(create));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(moodle.lineItems('math').filter((item) => item.resourceId === 'race-1')).toHaveLength(
        1,
      );
      const [{ n }] = await query<{ n: number }>(
        t.databaseUrl,
        `SELECT count(*)::int AS n FROM lti_line_items WHERE class_id = $1 AND resource_id = 'race-1'`,
        [classId],
      );
      expect(n).toBe(1);
    } finally {
      await second.close();
    }
  });
  it("should answer the LMS's refusals, failures and silence on the line-item route as 502s with its message, writing nothing", async () => {
    const create = (app: TestApp, resourceId: string) =>
      requestJson<LineItem & { error_code?: string; details?: Record<string, unknown> }>(
        `${app.baseUrl}/api/v1/lti/contexts/${classId}/line-items`,
        {
          method: 'POST',
          json: { label: 'Refused quiz', score_maximum: 5, resource_id: resourceId },
          headers: bearer(teacher.access_token),
        },
      );

    // The held token stops working and the LMS refuses a new one.
    await moodle.revokeServiceTokens();
    moodle.failNext({
      path: new URL(moodle.tokenUrl).pathname,
      status: 400,
      body: { error: 'invalid_client', error_description: 'client assertion key not found' },
    });
    const refused = await create(t, 'refused-1');
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({
      error_code: 'LTI_TOKEN_REFUSED',
      details: { platform_status: 400, platform_message: 'client assertion key not found' },
    });

    moodle.failNext({ path: '/lineitems', status: 500, body: { message: 'database is down' } });
    const failed = await create(t, 'refused-2');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({
      error_code: 'LTI_PLATFORM_ERROR',
      details: { platform_status: 500, platform_message: 'database is down' },
    });

    const impatient = await startTestApp({
      databaseUrl: t.databaseUrl,
      env: { PUBLIC_URL: t.baseUrl, FRONTEND_URL: FRONTEND, LTI_SERVICE_TIMEOUT_MS: '500' },
    });
    try {
      moodle.failNext({ path: '/lineitems', hang: true });
      const silent = await create(impatient, 'refused-3');
      expect(silent.status).toBe(502);
      expect(silent.body).toMatchObject({
        error_code: 'LTI_PLATFORM_UNREACHABLE',
        details: { platform_status: null },
      });
    } finally {
      await impatient.close();
    }

    const resourceIds = ['refused-1', 'refused-2', 'refused-3'];
    const rows = await query(
      t.databaseUrl,
      `SELECT 1 FROM lti_line_items WHERE class_id = $1 AND resource_id = ANY($2)`,
      [classId, resourceIds],
    );
    expect(rows).toHaveLength(0);
    expect(
      moodle.lineItems('math').filter((item) => resourceIds.includes(item.resourceId ?? '')),
    ).toHaveLength(0);

    // The LMS is itself again: the same request now makes the column.
    expect((await create(t, 'refused-1')).status).toBe(201);
  });
});
