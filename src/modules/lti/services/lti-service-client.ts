import { Injectable } from '@nestjs/common';
import { LtiServiceError, platformMessageOf } from './lti-service-error.js';
import { LtiServiceHttp, LTI_USER_AGENT, type HttpAnswer } from './lti-service-http.js';
import { LtiServiceTokens } from './lti-service-tokens.service.js';
import type { ServicePlatform } from './lti-services.repository.js';

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Only what this call needs: the token asked for carries exactly these scopes. */
  scopes: readonly string[];
  accept: string;
  contentType?: string;
  body?: unknown;
}

/**
 * Calls an LMS service with a Bearer token (capital B: Blackboard refused `bearer`) and our
 * User-Agent; a 401 fetches a new token and tries once more. Any other non-2xx answer becomes
 * an LtiServiceError keeping the LMS's message.
 */
@Injectable()
export class LtiServiceClient {
  constructor(
    private readonly tokens: LtiServiceTokens,
    private readonly http: LtiServiceHttp,
  ) {}

  async call(platform: ServicePlatform, call: ServiceCall): Promise<HttpAnswer> {
    if (platform.status !== 'active') {
      throw new LtiServiceError('refused', null, 'the LMS registration is not active');
    }
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.tokens.token(platform, call.scopes);
      const answer = await this.http.send(call.url, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: call.accept,
          'user-agent': LTI_USER_AGENT,
          ...(call.contentType ? { 'content-type': call.contentType } : {}),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
      });
      if (answer.status === 401 && attempt === 0) {
        await this.tokens.forget(platform, call.scopes, token);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) {
        return answer;
      }
      const retryable = answer.status >= 500 || answer.status === 429;
      throw new LtiServiceError(
        retryable ? 'unavailable' : 'refused',
        answer.status,
        platformMessageOf(answer.text),
        answer.retryAfterSeconds,
      );
    }
  }
}

/** `Link: <url>; rel="next", <url>; rel="differences"` as { next, differences }. */
export function parseLinkHeader(value: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) {
    return links;
  }
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) {
      continue;
    }
    const rel = /rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '');
    for (const name of (rel?.[1] ?? '').trim().split(/\s+/)) {
      if (name && match[1]) {
        links[name.toLowerCase()] = match[1];
      }
    }
  }
  return links;
}
