import { CreateAuditLogs1764000000000 } from './1764000000000-CreateAuditLogs.js';
import { CreateAccountsAndSessions1795550421726 } from './1795550421726-CreateAccountsAndSessions.js';
import { AuditLogKeysetIndexes1795553863607 } from './1795553863607-AuditLogKeysetIndexes.js';
import { CreateApiKeys1795554463193 } from './1795554463193-CreateApiKeys.js';
import { SessionImpersonator1795554969402 } from './1795554969402-SessionImpersonator.js';
import { UserMustChangePassword1795555095510 } from './1795555095510-UserMustChangePassword.js';
import { CreateInvitations1795555217966 } from './1795555217966-CreateInvitations.js';
import { ClassesAndPupilUsernames1795555344806 } from './1795555344806-ClassesAndPupilUsernames.js';
import { LinkedIdentities1795558685049 } from './1795558685049-LinkedIdentities.js';
import { MarketplaceAndUsage1795559634639 } from './1795559634639-MarketplaceAndUsage.js';
import { UsageRollupsByModelAndUserDay1795561141986 } from './1795561141986-UsageRollupsByModelAndUserDay.js';
import { AccountOwnership1795570000000 } from './1795570000000-AccountOwnership.js';
import { SignInFailuresPerIdentifier1795570100000 } from './1795570100000-SignInFailuresPerIdentifier.js';
import { PublishedDirectoryViews1795580000000 } from './1795580000000-PublishedDirectoryViews.js';
import { Payments1795590000000 } from './1795590000000-Payments.js';
import { Licenses1795600000000 } from './1795600000000-Licenses.js';
import { Lti1795700000000 } from './1795700000000-Lti.js';
import { LtiAdvantage1795800000000 } from './1795800000000-LtiAdvantage.js';
import { LtiDeepLinking1795800000001 } from './1795800000001-LtiDeepLinking.js';
import { MoreSignInProviders1795900000000 } from './1795900000000-MoreSignInProviders.js';

/** Every migration, in order. A unit test checks that each file in this folder is listed. */
export const MIGRATIONS = [
  CreateAuditLogs1764000000000,
  CreateAccountsAndSessions1795550421726,
  AuditLogKeysetIndexes1795553863607,
  CreateApiKeys1795554463193,
  SessionImpersonator1795554969402,
  UserMustChangePassword1795555095510,
  CreateInvitations1795555217966,
  ClassesAndPupilUsernames1795555344806,
  LinkedIdentities1795558685049,
  MarketplaceAndUsage1795559634639,
  UsageRollupsByModelAndUserDay1795561141986,
  AccountOwnership1795570000000,
  SignInFailuresPerIdentifier1795570100000,
  PublishedDirectoryViews1795580000000,
  Payments1795590000000,
  Licenses1795600000000,
  Lti1795700000000,
  LtiAdvantage1795800000000,
  LtiDeepLinking1795800000001,
  MoreSignInProviders1795900000000,
];
