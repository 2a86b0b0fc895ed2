import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createTenant,
  createUser,
  login,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
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
    await query(
      t.databaseUrl,
      `INSERT INTO class_members (class_id, user_id, role) VALUES ($1, $2, 'teacher'), ($1, $3, 'student')`,
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
