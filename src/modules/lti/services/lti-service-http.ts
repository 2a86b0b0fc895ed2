import { Injectable } from '@nestjs/common';
import { APP_NAME, APP_VERSION } from '../../../common/app-info.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { LtiServiceError } from './lti-service-error.js';

/** Canvas refuses API calls without a User-Agent; every call names the tool. */
export const LTI_USER_AGENT = `${APP_NAME}/${APP_VERSION} (LTI 1.3 tool)`;

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
  retryAfterSeconds: number | null;
  json(): unknown;
}

/**
 * HTTP to an LMS: a bounded wait (LTI_SERVICE_TIMEOUT_MS), no redirects followed (a service URL
 * comes from a signed launch and is called as named), a bounded body, and outside production
 * only http:// allowed besides https://.
 */
@Injectable()
export class LtiServiceHttp {
  private readonly timeoutMs: number;
  private readonly httpsOnly: boolean;

  constructor(config: AppConfigService) {
    this.timeoutMs = config.get('LTI_SERVICE_TIMEOUT_MS');
    this.httpsOnly = config.get('NODE_ENV') === 'production';
  }

  async send(url: string, init: RequestInit): Promise<HttpAnswer> {
    const target = parseServiceUrl(url, this.httpsOnly);
    let response: Response;
    let text: string;
    try {
      response = await fetch(target, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await readBounded(response);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new LtiServiceError('unreachable', null, reason.slice(0, 300));
    }
    return {
      status: response.status,
      text,
      headers: response.headers,
      retryAfterSeconds: retryAfter(response.headers.get('retry-after')),
      json: () => {
        try {
          return text ? (JSON.parse(text) as unknown) : null;
        } catch {
          return null;
        }
      },
    };
  }
}

function parseServiceUrl(url: string, httpsOnly: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LtiServiceError('refused', null, `not a URL: ${url.slice(0, 200)}`);
  }
  if (parsed.protocol !== 'https:' && (httpsOnly || parsed.protocol !== 'http:')) {
    throw new LtiServiceError('refused', null, `not an https URL: ${url.slice(0, 200)}`);
  }
  return parsed;
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (!reader) {
    return '';
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function retryAfter(value: string | null): number | null {
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.min(seconds, 3600);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.min(3600, (date - Date.now()) / 1000));
}
