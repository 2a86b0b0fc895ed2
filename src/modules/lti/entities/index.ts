import { LtiContext } from './lti-context.entity.js';
import { LtiDeepLinkResponse } from './lti-deep-link-response.entity.js';
import { LtiDeepLinkedItem } from './lti-deep-linked-item.entity.js';
import { LtiDeployment } from './lti-deployment.entity.js';
import { LtiIdentity } from './lti-identity.entity.js';
import { LtiLaunchFailure } from './lti-launch-failure.entity.js';
import { LtiLaunch } from './lti-launch.entity.js';
import { LtiLoginState } from './lti-login-state.entity.js';
import { LtiNonce } from './lti-nonce.entity.js';
import { LtiPlatform } from './lti-platform.entity.js';
import { LtiRegistrationLink } from './lti-registration-link.entity.js';
import { LtiToolKey } from './lti-tool-key.entity.js';
import { LtiServiceToken } from './lti-service-token.entity.js';
import { LtiRosterSyncEntity } from './lti-roster-sync.entity.js';
import { LtiRosterMember } from './lti-roster-member.entity.js';
import { LtiLineItem } from './lti-line-item.entity.js';
import { LtiScore } from './lti-score.entity.js';

export const LTI_ENTITIES = [
  LtiPlatform,
  LtiDeployment,
  LtiToolKey,
  LtiLoginState,
  LtiNonce,
  LtiIdentity,
  LtiContext,
  LtiLaunch,
  LtiLaunchFailure,
  LtiRegistrationLink,
  LtiDeepLinkResponse,
  LtiDeepLinkedItem,
  LtiServiceToken,
  LtiRosterSyncEntity,
  LtiRosterMember,
  LtiLineItem,
  LtiScore,
];
