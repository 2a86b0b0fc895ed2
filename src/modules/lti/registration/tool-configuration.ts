/** The LTI Advantage scopes the tool asks for (grades and rosters, used by part 2). */
export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

export const TOOL_NAME = 'DreamSeed';

/**
 * The tool's client registration (LTI Dynamic Registration 1.0 §3.3, OpenID Connect Dynamic
 * Client Registration with the `lti-tool-configuration` claim), built from PUBLIC_URL only.
 */
export function toolRegistration(publicUrl: string): Record<string, unknown> {
  const launch = `${publicUrl}/lti/launch`;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${publicUrl}/lti/login`,
    redirect_uris: [launch],
    client_name: TOOL_NAME,
    jwks_uri: `${publicUrl}/lti/jwks`,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: TOOL_SCOPES.join(' '),
    'https://purl.imsglobal.org/spec/lti-tool-configuration': {
      domain: new URL(publicUrl).host,
      target_link_uri: launch,
      description: 'DreamSeed learning platform',
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      messages: [
        { type: 'LtiResourceLinkRequest', target_link_uri: launch },
        { type: 'LtiDeepLinkingRequest', target_link_uri: launch },
      ],
    },
  };
}
