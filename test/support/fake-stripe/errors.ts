export type StripeErrorType =
  'invalid_request_error' | 'api_error' | 'idempotency_error' | 'rate_limit_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
}

/** Thrown by a handler; the server answers it as `{ error: body }` with `status`. */
export class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export function resourceMissing(resource: string, id: string, param = 'id'): StripeFailure {
  return new StripeFailure(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${resource}: '${id}'`,
  });
}

export function parameterMissing(param: string): StripeFailure {
  return new StripeFailure(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    param,
    message: `Missing required param: ${param}.`,
  });
}

export function parameterInvalid(code: string, param: string, message: string): StripeFailure {
  return new StripeFailure(400, { type: 'invalid_request_error', code, param, message });
}

export function invalidRequest(message: string, param?: string): StripeFailure {
  return new StripeFailure(400, { type: 'invalid_request_error', message, param });
}
