import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  login,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('pupils without an email, managed by their teachers', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let teacherUser: TestUser;
  let teacher: Tokens;
  let otherTeacher: Tokens;
  let southAdmin: Tokens;
  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const signIn = (body: Record<string, unknown>) =>
    requestJson<{
      access_token: string;
      user: { id: string; must_change_password: boolean };
      error_code?: string;
    }>(api('/auth/login'), { method: 'POST', json: body });
  const addPupil = (token: string, body: Record<string, unknown>) =>
    requestJson<{ id: string; error_code?: string }>(api('/users'), {
      method: 'POST',
      headers: bearer(token),
      json: body,
    });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createTenant(t);
    south = await createTenant(t);
    teacherUser = await createUser(t, { tenant: north, role: 'teacher' });
    teacher = await login(t, teacherUser);
    otherTeacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
  });

  afterAll(async () => {
    await t.close();
  });

  it('should let a teacher add a pupil who signs in with tenant and username, and reset their password', async () => {
    const created = await addPupil(teacher.access_token, {
      username: 'Jimin.Kim',
      full_name: 'Kim Jimin',
      role: 'student',
      temporary_password: 'Garden-Path-42!',
    });
    expect(created.status).toBe(201);
    const pupilId = created.body.id;

    const first = await signIn({
      tenant_id: north,
      username: 'jimin.kim',
      password: 'Garden-Path-42!',
    });
    expect(first.status).toBe(200);
    expect(first.body.user.must_change_password).toBe(true);
    await requestJson(api('/users/me/password'), {
      method: 'POST',
      headers: bearer(first.body.access_token),
      json: { current_password: 'Garden-Path-42!', new_password: 'Sunny-Field-77!' },
    });
    const session = await signIn({
      tenant_id: north,
      username: 'JIMIN.KIM',
      password: 'Sunny-Field-77!',
    });
    expect(session.status).toBe(200);

    // The teacher teaches the pupil in a class; only then may they reset the password.
    const notYet = await requestJson(api(`/users/${pupilId}/reset-password`), {
      method: 'POST',
      headers: bearer(teacher.access_token),
    });
    expect(notYet.status).toBe(403);
    const [klass] = await query<{ id: string }>(
      t.databaseUrl,
      `INSERT INTO classes (tenant_id, name, join_code) VALUES ($1, '3-B Science', 'JOIN3B') RETURNING id`,
      [north],
    );
    // In the class since before today (a pupil added just now is a different story, below).
    await query(
      t.databaseUrl,
      `INSERT INTO class_members (class_id, user_id, role, joined_at)
       VALUES ($1, $2, 'teacher', now() - interval '2 days'), ($1, $3, 'student', now() - interval '2 days')`,
      [klass?.id, teacherUser.id, pupilId],
    );
    const reset = await requestJson<{ temporary_password: string }>(
      api(`/users/${pupilId}/reset-password`),
      {
        method: 'POST',
        headers: bearer(teacher.access_token),
      },
    );
    expect(reset.status).toBe(200);
    const old = await requestJson(api('/users/me'), { headers: bearer(session.body.access_token) });
    expect(old.status).toBe(401);
    const again = await signIn({
      tenant_id: north,
      username: 'jimin.kim',
      password: reset.body.temporary_password,
    });
    expect(again.status).toBe(200);

    const byOther = await requestJson(api(`/users/${pupilId}/reset-password`), {
      method: 'POST',
      headers: bearer(otherTeacher.access_token),
    });
    expect(byOther.status).toBe(403);
    const onTeacher = await requestJson(api(`/users/${teacherUser.id}/reset-password`), {
      method: 'POST',
      headers: bearer(otherTeacher.access_token),
    });
    expect(onTeacher.status).toBe(403);
  });

  it('should keep usernames unique inside a school only', async () => {
    const body = {
      username: 'minho',
      full_name: 'Lee Minho',
      role: 'student',
      temporary_password: 'Garden-Path-42!',
    };
    expect((await addPupil(teacher.access_token, body)).status).toBe(201);
    const taken = await addPupil(teacher.access_token, body);
    expect(taken.status).toBe(409);
    expect(taken.body.error_code).toBe('USER_USERNAME_TAKEN');
    expect((await addPupil(southAdmin.access_token, body)).status).toBe(201);
  });

  it('should keep teachers to pupils: no email accounts, no other roles', async () => {
    const withEmail = await addPupil(teacher.access_token, {
      email: 'pupil@school.test',
      full_name: 'Has Email',
      role: 'student',
    });
    expect(withEmail.status).toBe(403);
    const asTeacher = await addPupil(teacher.access_token, {
      username: 'newteacher',
      full_name: 'New Teacher',
      role: 'teacher',
    });
    expect(asTeacher.status).toBe(403);
  });

  it('should answer an unknown username and a wrong password alike, and refuse half a credential', async () => {
    const unknown = await signIn({
      tenant_id: north,
      username: 'nobody',
      password: 'Garden-Path-42!',
    });
    const wrong = await signIn({ tenant_id: north, username: 'minho', password: 'Wrong-Path-42!' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error_code).toBe(wrong.body.error_code);
    expect((await signIn({ username: 'minho', password: 'Garden-Path-42!' })).status).toBe(400);
    expect((await signIn({ password: 'Garden-Path-42!' })).status).toBe(400);
    expect((await signIn({ tenant_id: north, username: 'a', password: 'x' })).status).toBe(400);
  });
});

describe('password resets by teachers', () => {
  const clock = new ManualClock();
  const DAY_MS = 24 * 3600 * 1000;
  let t: TestApp;
  let north: string;
  let south: string;
  let admin: Tokens;
  let teacherUser: TestUser;
  let teacher: Tokens;
  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const post = <T = { id: string }>(token: string, path: string, json?: unknown) =>
    requestJson<T & { error_code?: string; details?: { reason?: string } }>(api(path), {
      method: 'POST',
      headers: bearer(token),
      json,
    });
  const reset = (token: string, userId: string) =>
    post<{ temporary_password: string }>(token, `/users/${userId}/reset-password`);
  let pupilCount = 0;
  const newPupil = async (by: Tokens): Promise<string> => {
    pupilCount += 1;
    const created = await post(by.access_token, '/users', {
      username: `pupil${pupilCount}.${Date.now()}`,
      full_name: `Pupil ${pupilCount}`,
      role: 'student',
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    north = await createTenant(t);
    south = await createTenant(t);
    admin = await login(t, await createUser(t, { tenant: north, role: 'admin' }));
    teacherUser = await createUser(t, { tenant: north, role: 'teacher' });
    teacher = await login(t, teacherUser);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should refuse a teacher who puts a pupil of another class in their own class and resets them in one sitting', async () => {
    const pupil = await newPupil(admin);
    const own = await post(teacher.access_token, '/classes', { name: 'My own class' });
    expect(own.status).toBe(201);
    const added = await post(teacher.access_token, `/classes/${own.body.id}/members`, {
      user_id: pupil,
      role: 'student',
    });
    expect(added.status).toBe(201);
    const refused = await reset(teacher.access_token, pupil);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error_code: 'USER_NOT_YOUR_PUPIL',
      details: { reason: 'added_too_recently' },
    });
    const record = await query<{ added_by: string; added_by_role: string }>(
      t.databaseUrl,
      `SELECT added_by, added_by_role FROM class_members WHERE class_id = $1 AND user_id = $2`,
      [own.body.id, pupil],
    );
    expect(record).toEqual([{ added_by: teacherUser.id, added_by_role: 'teacher' }]);
    const untaught = await newPupil(admin);
    const outside = await reset(teacher.access_token, untaught);
    expect(outside.status).toBe(403);
    expect(outside.body.details?.reason).toBe('not_in_your_classes');

    // A day later the pupil has been in the class since before today.
    clock.advance(DAY_MS + 60_000);
    teacher = await login(t, teacherUser);
    const later = await reset(teacher.access_token, pupil);
    expect(later.status).toBe(200);
    expect(later.body.temporary_password).toEqual(expect.any(String));
  });

  it('should let a teacher reset at once a pupil an admin put in their class', async () => {
    const pupil = await newPupil(teacher);
    const klass = await post(admin.access_token, '/classes', { name: 'Admin-made class' });
    expect(klass.status).toBe(201);
    for (const member of [
      { user_id: teacherUser.id, role: 'teacher' },
      { user_id: pupil, role: 'student' },
    ]) {
      expect(
        (await post(admin.access_token, `/classes/${klass.body.id}/members`, member)).status,
      ).toBe(201);
    }
    expect((await reset(teacher.access_token, pupil)).status).toBe(200);
  });

  it('should refuse a teacher staff accounts, accounts with a staff role anywhere, and self-managed ones, whatever the class', async () => {
    const klass = await post(admin.access_token, '/classes', { name: 'Mixed class' });
    const colleague = await createUser(t, { tenant: north, role: 'teacher', schoolManaged: true });
    const twoHats = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    await addMembership(t, twoHats.id, south, 'teacher');
    const registered = await createUser(t, { tenant: north, role: 'student' });
    for (const userId of [teacherUser.id, colleague.id, twoHats.id, registered.id]) {
      const role = userId === teacherUser.id ? 'teacher' : 'student';
      expect(
        (
          await post(admin.access_token, `/classes/${klass.body.id}/members`, {
            user_id: userId,
            role,
          })
        ).status,
      ).toBe(201);
    }
    const onColleague = await reset(teacher.access_token, colleague.id);
    expect(onColleague.status).toBe(403);
    expect(onColleague.body).toMatchObject({
      error_code: 'USER_NOT_YOUR_PUPIL',
      details: { reason: 'not_a_student' },
    });
    const onTwoHats = await reset(teacher.access_token, twoHats.id);
    expect(onTwoHats.status).toBe(403);
    expect(onTwoHats.body).toMatchObject({
      error_code: 'USER_NOT_YOUR_PUPIL',
      details: { reason: 'staff_account' },
    });
    const onRegistered = await reset(teacher.access_token, registered.id);
    expect(onRegistered.status).toBe(403);
    expect(onRegistered.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    await login(t, registered);
  });

  it('should hold a pupil who joined by code like one a teacher added', async () => {
    const pupil = await post<{ id: string; temporary_password: string }>(
      admin.access_token,
      '/users',
      { username: `joiner.${Date.now()}`, full_name: 'Joins By Code', role: 'student' },
    );
    const klass = await post<{ id: string; join_code: string }>(teacher.access_token, '/classes', {
      name: 'Open class',
    });
    const [row] = await query<{ username: string }>(
      t.databaseUrl,
      `SELECT username FROM memberships WHERE user_id = $1`,
      [pupil.body.id],
    );
    const first = await requestJson<{ access_token: string }>(api('/auth/login'), {
      method: 'POST',
      json: { tenant_id: north, username: row?.username, password: pupil.body.temporary_password },
    });
    expect(first.status).toBe(200);
    const changed = await post(first.body.access_token, '/users/me/password', {
      current_password: pupil.body.temporary_password,
      new_password: 'Sunny-Field-77!',
    });
    expect(changed.status).toBe(204);
    const pupilTokens = await requestJson<{ access_token: string }>(api('/auth/login'), {
      method: 'POST',
      json: { tenant_id: north, username: row?.username, password: 'Sunny-Field-77!' },
    });
    const joined = await post(pupilTokens.body.access_token, '/classes/join', {
      code: klass.body.join_code,
    });
    expect(joined.status).toBe(201);
    const refused = await reset(teacher.access_token, pupil.body.id);
    expect(refused.status).toBe(403);
    expect(refused.body.details?.reason).toBe('added_too_recently');
  });
});
