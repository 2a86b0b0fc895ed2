// LTI Advantage services under load, against the in-process LMS of bench/lti.mjs (the test
// platform's NRPS and AGS), on the same app with its `lti` queue worker running
// (LTI_WORKER_CONCURRENCY as set, default 4). (1) A roster sync of BENCH_LTI_ROSTER (default
// 5,000) members in pages of 100: the first creates everyone, the second (nothing changed)
// leaves everyone unchanged; wall time from the request to `succeeded`, the CPU of the app and
// PostgreSQL, and the app's resident memory before and at its peak (the sync applies page by
// page). (2) BENCH_LTI_SCORES (default 2,000) scores for 500 synced students on 4 line items,
// POSTed by autocannon: the rate the app accepts them, the rate they reach the LMS, and how many
// access tokens that took.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { cpuShare, cpuSnapshot, cpuUsed, rssKb } from './payments.mjs';

const ROSTER = Number(process.env.BENCH_LTI_ROSTER ?? 5000);
const PAGE_SIZE = 100;
const SCORES = Number(process.env.BENCH_LTI_SCORES ?? 2000);
const STUDENTS = 500;
const LINE_ITEMS = 4;
const SCORE_CONNECTIONS = Number(process.env.BENCH_LTI_SCORE_CONNECTIONS ?? 20);
const CONTEXT = 'advantage-course';
const ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
};

const instructor = { user_id: 'adv-teacher', roles: [ROLE.instructor], name: 'Adv Teacher' };
const learner = (n) => ({
  user_id: `adv-learner-${String(n).padStart(5, '0')}`,
  roles: [ROLE.learner],
  name: `Learner ${n}`,
  given_name: 'Learner',
  family_name: String(n),
  email: `adv-learner-${n}@school.test`,
});

/**
 * `launch(input)` launches through the platform and answers the code exchange's body; `client`
 * is connected to the app's database. Answers the report's lines.
 */
export async function runLtiAdvantageBench({ app, platform, client, launch }) {
  const concurrency = process.env.LTI_WORKER_CONCURRENCY ?? '4 (default)';
  // The teacher's first launch syncs a roster of one; the bench's syncs are asked for after.
  platform.setRoster(CONTEXT, [instructor], { pageSize: PAGE_SIZE });
  const teacher = await launch({
    user: { sub: instructor.user_id, name: instructor.name },
    roles: instructor.roles,
    context: { id: CONTEXT, title: 'Advantage course' },
    resourceLink: { id: 'advantage-link' },
  });
  const classId = teacher.lti_launch.class_id;
  const api = async (method, path, body) => {
    const response = await fetch(`${app.base}/api/v1/lti/contexts/${classId}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${teacher.access_token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    }
    return answer;
  };
  const settled = (syncId) =>
    waitFor('the roster sync', async () => {
      const { items } = await api('GET', 'roster-sync');
      const sync = syncId ? items.find((item) => item.id === syncId) : items[0];
      return ['succeeded', 'failed'].includes(sync?.status) && sync;
    });
  await settled();

  platform.setRoster(CONTEXT, [
    instructor,
    ...Array.from({ length: ROSTER - 1 }, (_, n) => learner(n)),
  ]);
  const syncOnce = async () => {
    const rssBefore = rssKb(app.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKb(app.pid))), 20);
    const before = await cpuSnapshot(app.pid, client);
    const started = performance.now();
    const { sync } = await api('POST', 'roster-sync');
    const done = await settled(sync.id);
    const seconds = (performance.now() - started) / 1000;
    const used = cpuUsed(before, await cpuSnapshot(app.pid, client));
    clearInterval(sampler);
    if (done.status !== 'succeeded') {
      throw new Error(`roster sync ${done.status}: ${done.error_code} ${done.error_message}`);
    }
    return { sync: done, seconds, used, rssBefore, rssPeak };
  };
  const first = await syncOnce();
  const second = await syncOnce();

  const syncRow = (name, r) =>
    `  ${name.padEnd(26)} ${r.seconds.toFixed(2).padStart(7)} s ${String(r.sync.pages).padStart(5)} ${(ROSTER / r.seconds).toFixed(0).padStart(9)} ${String(r.sync.added).padStart(6)} ${r.used.app.toFixed(2).padStart(8)} ${r.used.postgres.toFixed(2).padStart(8)} ${(r.rssBefore / 1024).toFixed(0).padStart(7)} / ${(r.rssPeak / 1024).toFixed(0)} MB`;
  const lines = [
    `  LTI Advantage, LTI_WORKER_CONCURRENCY ${concurrency}`,
    `  roster sync, ${ROSTER} members     wall   pages  members/s  added  app CPU   PG CPU   app RSS before / peak`,
    syncRow('first (everyone created)', first),
    syncRow('second (nothing changed)', second),
  ];

  lines.push(
    ...(await scoresBench({ app, platform, client, api, classId, token: teacher.access_token })),
  );
  return lines;
}

async function scoresBench({ app, platform, client, api, classId, token }) {
  const lineItems = [];
  for (let n = 0; n < LINE_ITEMS; n += 1) {
    const body = { label: `Quiz ${n}`, score_maximum: 20, resource_id: `quiz-${n}`, tag: 'quiz' };
    lineItems.push(await api('POST', 'line-items', body));
  }
  const { rows: students } = await client.query(
    `SELECT user_id FROM lti_identities WHERE issuer = $1 AND subject LIKE 'adv-learner-%'
      ORDER BY subject LIMIT $2`,
    [platform.issuer, STUDENTS],
  );
  const tokensBefore = platform.tokenRequests.length;
  platform.clearServiceRecords();
  let next = 0;
  const score = () => {
    const n = next++;
    return JSON.stringify({
      line_item_id: lineItems[n % LINE_ITEMS].id,
      user_id: students[Math.floor(n / LINE_ITEMS) % students.length].user_id,
      score_given: n % 21,
      score_maximum: 20,
      activity_progress: 'Completed',
      grading_progress: 'FullyGraded',
    });
  };
  const before = await cpuSnapshot(app.pid, client);
  const startedAt = Date.now();
  const started = performance.now();
  const posted = await autocannon({
    url: `${app.base}/api/v1/lti/contexts/${classId}/scores`,
    connections: SCORE_CONNECTIONS,
    amount: SCORES,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: score() }),
      },
    ],
  });
  const postSeconds = (performance.now() - started) / 1000;
  if (posted.non2xx + posted.errors + posted.timeouts > 0) {
    throw new Error(`POST scores: ${JSON.stringify(posted.statusCodeStats)}`);
  }
  // Published: the LMS stored every one (the app marks each sent just after).
  const received = await waitFor('the scores at the LMS', () => {
    const all = platform.receivedScores();
    if (all.some((s) => s.outcome !== 'stored')) {
      throw new Error(
        `the LMS refused or ignored scores: ${JSON.stringify(all.find((s) => s.outcome !== 'stored'))}`,
      );
    }
    return all.length >= SCORES && all;
  });
  const publishSeconds = (Math.max(...received.map((s) => s.at.getTime())) - startedAt) / 1000;
  const cpuAfter = await cpuSnapshot(app.pid, client);
  await waitFor('the scores marked sent', async () => {
    const { items } = await api('GET', 'line-items');
    if (items.some((item) => item.scores_failed > 0)) {
      throw new Error(`scores failed: ${JSON.stringify(items)}`);
    }
    return items.every((item) => item.scores_pending === 0);
  });
  const issued = platform.tokenRequests.filter((r) => r.status === 200).length;
  return [
    `  scores, ${SCORES} (${Math.min(students.length, SCORES / LINE_ITEMS)} students x ${LINE_ITEMS} line items), autocannon -c ${SCORE_CONNECTIONS}`,
    `    accepted (202):          ${(SCORES / postSeconds).toFixed(0).padStart(6)} POST/s   p50 ${posted.latency.p50} ms   p99 ${posted.latency.p99} ms   (${postSeconds.toFixed(2)} s)`,
    `    published to the LMS:    ${(SCORES / publishSeconds).toFixed(0).padStart(6)} scores/s (all stored ${publishSeconds.toFixed(2)} s after the first POST, ${Math.max(0, publishSeconds - postSeconds).toFixed(2)} s after the last)`,
    `    token requests while publishing: ${issued} (before: ${tokensBefore}, roster and line items)`,
    `    ${cpuShare(before, cpuAfter, publishSeconds, 'load generator + LMS')}`,
  ];
}

/** Polls `check` every 20 ms until it answers something truthy (at most `seconds`). */
async function waitFor(what, check, seconds = 600) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: still not done after ${seconds} s`);
    }
    await sleep(20);
  }
}
