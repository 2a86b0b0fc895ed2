import { CreateAuditLogs1764000000000 } from './1764000000000-CreateAuditLogs.js';
import { CreateAccountsAndSessions1795550421726 } from './1795550421726-CreateAccountsAndSessions.js';

/** Every migration, in order. A unit test checks that each file in this folder is listed. */
export const MIGRATIONS = [CreateAuditLogs1764000000000, CreateAccountsAndSessions1795550421726];
