/**
 * A student signing in to a school takes a license seat when the school hands them out
 * automatically (licenses). Auth asks it without depending on the licenses module, which
 * depends on users and tenants. Never throws; waits a bounded time at most.
 */
export abstract class SignInSeats {
  abstract claim(userId: string, tenantId: string): Promise<void>;
}
