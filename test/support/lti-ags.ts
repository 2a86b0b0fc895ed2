/**
 * AGS 2.0 (Assignment and Grade Services) of the test platform, with Moodle's URLs: every URL
 * carries `?type_id=<tool>` (1 for the platform's first client) and a path or query other than
 * these answers 404:
 *   container  `${issuer}/mod/lti/services.php/<ctx>/lineitems?type_id=1`
 *   line item  `${issuer}/mod/lti/services.php/<ctx>/lineitems/<n>/lineitem?type_id=1`
 *   scores     `.../lineitems/<n>/lineitem/scores?type_id=1` (POST)
 *   results    `.../lineitems/<n>/lineitem/results?type_id=1` (GET, `user_id` filter)
 *
 * Public API (LtiPlatform delegates `agsClaim`, `createLineItem`, `lineItems`,
 * `receivedScores`, `results`; the whole object is `platform.grades`):
 * - `claim(contextId, typeId, { lineitem?, scope? })`: the endpoint claim `{ scope, lineitems,
 *   lineitem? }` (scope defaults to the four AGS scopes).
 * - `createLineItem(contextId, { label, scoreMaximum, resourceId?, tag?, resourceLinkId? },
 *   typeId = 1): LineItem` (as if made in the gradebook).
 * - `lineItems(contextId?): LineItem[]`.
 * - `receivedScores(lineItemId?): ReceivedScore[]`: every POST to a scores URL, refused ones
 *   included (`outcome`: 'stored' | 'ignored' | 'refused').
 * - `results(lineItemId): AgsResult[]`: what GET results answers.
 *
 * Line items: GET (Accept application/vnd.ims.lis.v2.lineitemcontainer+json; filters
 * resource_id, tag, resource_link_id; `limit` pages with rel="next"), POST (Content-Type
 * application/vnd.ims.lis.v2.lineitem+json; label and scoreMaximum > 0 required; 201 with the
 * item), GET/PUT/DELETE one line item. Scores: Content-Type application/vnd.ims.lis.v1.score+json
 * (else 415); body checked per the spec (400 with a message); userId not on the context's roster
 * → 422; a timestamp not newer than the stored one for that user is ignored (200, nothing
 * changed). Results follow Moodle: resultScore is scaled to the line item's scoreMaximum and
 * left out unless gradingProgress was FullyGraded.
 */
import {
  decodeMarker,
  encodeMarker,
  HttpFailure,
  jsonBody,
  limitOf,
  LTI_SCOPE,
  refuse,
  requireAccept,
  SERVICES_PATH,
  type ServiceRequest,
  type ServiceResponse,
  type ServiceRoute,
  type ServiceRouter,
} from './lti-platform-services.js';
import type { LtiNrps } from './lti-nrps.js';

export const AGS_MEDIA_TYPE = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
} as const;

export const AGS_SCOPES = [
  LTI_SCOPE.lineItem,
  LTI_SCOPE.lineItemReadonly,
  LTI_SCOPE.resultReadonly,
  LTI_SCOPE.score,
];

export const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
export const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

export interface AgsClaimOptions {
  clientId?: string;
  /** A line item id (URL) for the launch's resource link. */
  lineitem?: string;
  scope?: string[];
}

export interface LineItemInput {
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  tag?: string;
  resourceLinkId?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export interface LineItem extends LineItemInput {
  id: string;
}

export interface AgsScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
  comment?: string;
  [extra: string]: unknown;
}

export interface ReceivedScore {
  at: Date;
  lineItemId: string;
  contextId: string;
  /** The body as received (parsed JSON, or the raw text). */
  body: unknown;
  contentType?: string;
  /** The raw Authorization header. */
  authorization?: string;
  userAgent?: string;
  clientId: string;
  status: number;
  outcome: 'stored' | 'ignored' | 'refused';
  /** Why it was refused or ignored. */
  reason?: string;
}

export interface AgsResult {
  id: string;
  scoreOf: string;
  userId: string;
  resultScore?: number;
  resultMaximum?: number;
  comment?: string;
}

interface StoredLineItem {
  number: number;
  contextId: string;
  typeId: number;
  item: LineItemInput;
  /** The latest accepted score per user. */
  scores: Map<string, AgsScore>;
}

const ROOT = SERVICES_PATH.replace(/\./g, '\\.');
const CONTAINER_PATH = new RegExp(`^${ROOT}([^/]+)/lineitems$`);
const ITEM_PATH = new RegExp(`^${ROOT}([^/]+)/lineitems/(\\d+)/lineitem(?:/(scores|results))?$`);
/** ISO 8601 with sub-second precision and a zone, as the spec asks for score timestamps. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+(Z|[+-]\d{2}:\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class LtiAgs implements ServiceRouter {
  private readonly items = new Map<number, StoredLineItem>();
  private readonly received: ReceivedScore[] = [];
  private nextNumber = 1;

  constructor(
    private readonly issuer: string,
    private readonly nrps: LtiNrps,
  ) {}

  lineItemsUrl(contextId: string, typeId: number): string {
    return `${this.issuer}${SERVICES_PATH}${encodeURIComponent(contextId)}/lineitems?type_id=${typeId}`;
  }

  claim(
    contextId: string,
    typeId: number,
    options: Omit<AgsClaimOptions, 'clientId'> = {},
  ): { scope: string[]; lineitems: string; lineitem?: string } {
    return {
      scope: [...(options.scope ?? AGS_SCOPES)],
      lineitems: this.lineItemsUrl(contextId, typeId),
      ...(options.lineitem ? { lineitem: options.lineitem } : {}),
    };
  }

  createLineItem(contextId: string, input: LineItemInput, typeId = 1): LineItem {
    const stored: StoredLineItem = {
      number: this.nextNumber++,
      contextId,
      typeId,
      item: validLineItem(input as unknown as Record<string, unknown>),
      scores: new Map(),
    };
    this.items.set(stored.number, stored);
    return this.view(stored);
  }

  lineItems(contextId?: string): LineItem[] {
    return [...this.items.values()]
      .filter((stored) => contextId === undefined || stored.contextId === contextId)
      .map((stored) => this.view(stored));
  }

  receivedScores(lineItemId?: string): ReceivedScore[] {
    return this.received.filter(
      (score) => lineItemId === undefined || score.lineItemId === lineItemId,
    );
  }

  clearReceived(): void {
    this.received.length = 0;
  }

  results(lineItemId: string): AgsResult[] {
    const stored = [...this.items.values()].find((item) => this.idOf(item) === lineItemId);
    if (!stored) {
      throw new Error(`no line item ${lineItemId}`);
    }
    return [...stored.scores.values()].map((score) => this.result(stored, score));
  }

  route(method: string, url: URL): ServiceRoute | undefined {
    const typeId = url.searchParams.get('type_id');
    if (typeId === null || !/^\d+$/.test(typeId)) {
      return undefined;
    }
    const type = Number(typeId);
    const container = CONTAINER_PATH.exec(url.pathname);
    if (container) {
      const contextId = decodeURIComponent(container[1] ?? '');
      if (method === 'GET') {
        return {
          scopes: [LTI_SCOPE.lineItem, LTI_SCOPE.lineItemReadonly],
          typeId: type,
          handle: (request) => this.listLineItems(contextId, type, request),
        };
      }
      if (method === 'POST') {
        return {
          scopes: [LTI_SCOPE.lineItem],
          typeId: type,
          handle: (request) => this.postLineItem(contextId, type, request),
        };
      }
      return undefined;
    }
    const item = ITEM_PATH.exec(url.pathname);
    if (!item) {
      return undefined;
    }
    const contextId = decodeURIComponent(item[1] ?? '');
    const number = Number(item[2]);
    const find = (): StoredLineItem => {
      const stored = this.items.get(number);
      if (!stored || stored.contextId !== contextId || stored.typeId !== type) {
        refuse(404, 'not_found', 'no such line item');
      }
      return stored;
    };
    const sub = item[3];
    const routes: Record<string, ServiceRoute | undefined> = {
      'GET ': {
        scopes: [LTI_SCOPE.lineItem, LTI_SCOPE.lineItemReadonly],
        typeId: type,
        handle: (request) => {
          requireAccept(request.headers, AGS_MEDIA_TYPE.lineItem);
          return lineItemResponse(200, this.view(find()));
        },
      },
      'PUT ': {
        scopes: [LTI_SCOPE.lineItem],
        typeId: type,
        handle: (request) => {
          const stored = find();
          stored.item = validLineItem(jsonBody(request, AGS_MEDIA_TYPE.lineItem));
          return lineItemResponse(200, this.view(stored));
        },
      },
      'DELETE ': {
        scopes: [LTI_SCOPE.lineItem],
        typeId: type,
        handle: () => {
          this.items.delete(find().number);
          return { status: 204 };
        },
      },
      'POST scores': {
        scopes: [LTI_SCOPE.score],
        typeId: type,
        handle: (request) => this.postScore(find, request),
      },
      'GET results': {
        scopes: [LTI_SCOPE.resultReadonly],
        typeId: type,
        handle: (request) => this.listResults(find(), request),
      },
    };
    return routes[`${method} ${sub ?? ''}`];
  }

  private listLineItems(contextId: string, typeId: number, request: ServiceRequest) {
    requireAccept(request.headers, AGS_MEDIA_TYPE.lineItemContainer);
    const { url } = request;
    const filters = {
      resourceId: url.searchParams.get('resource_id'),
      tag: url.searchParams.get('tag'),
      resourceLinkId: url.searchParams.get('resource_link_id'),
    };
    const all = [...this.items.values()]
      .filter((stored) => stored.contextId === contextId && stored.typeId === typeId)
      .map((stored) => this.view(stored))
      .filter((item) =>
        Object.entries(filters).every(
          ([name, value]) => value === null || item[name as keyof typeof filters] === value,
        ),
      );
    return paged(all, url, Number.MAX_SAFE_INTEGER, AGS_MEDIA_TYPE.lineItemContainer);
  }

  private postLineItem(contextId: string, typeId: number, request: ServiceRequest) {
    const input = validLineItem(jsonBody(request, AGS_MEDIA_TYPE.lineItem));
    const created = this.createLineItem(contextId, input, typeId);
    return lineItemResponse(201, created, { location: created.id });
  }

  private postScore(find: () => StoredLineItem, request: ServiceRequest): ServiceResponse {
    const stored = find();
    const record: ReceivedScore = {
      at: new Date(),
      lineItemId: this.idOf(stored),
      contextId: stored.contextId,
      body: parsed(request.body),
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      userAgent: request.headers['user-agent'],
      clientId: request.token.clientId,
      status: 0,
      outcome: 'refused',
    };
    this.received.push(record);
    try {
      const score = validScore(jsonBody(request, AGS_MEDIA_TYPE.score));
      if (!this.nrps.isMember(stored.contextId, score.userId)) {
        refuse(422, 'unknown_user', `user ${score.userId} is not a member of this course`);
      }
      const current = stored.scores.get(score.userId);
      if (current && Date.parse(score.timestamp) <= Date.parse(current.timestamp)) {
        record.outcome = 'ignored';
        record.reason = `timestamp ${score.timestamp} is not after ${current.timestamp}`;
      } else {
        stored.scores.set(score.userId, score);
        record.outcome = 'stored';
      }
      record.status = 200;
      return { status: 200 };
    } catch (error) {
      if (error instanceof HttpFailure) {
        record.status = error.status;
        record.reason = error.message;
      }
      throw error;
    }
  }

  private listResults(stored: StoredLineItem, request: ServiceRequest): ServiceResponse {
    requireAccept(request.headers, AGS_MEDIA_TYPE.resultContainer);
    const userId = request.url.searchParams.get('user_id');
    const results = [...stored.scores.values()]
      .filter((score) => userId === null || score.userId === userId)
      .map((score) => this.result(stored, score));
    return paged(results, request.url, Number.MAX_SAFE_INTEGER, AGS_MEDIA_TYPE.resultContainer);
  }

  private result(stored: StoredLineItem, score: AgsScore): AgsResult {
    const id = this.idOf(stored);
    const [path, query] = id.split('?');
    const graded =
      score.gradingProgress === 'FullyGraded' &&
      score.scoreGiven !== undefined &&
      score.scoreMaximum !== undefined;
    return {
      id: `${path}/results?${query}&user_id=${encodeURIComponent(score.userId)}`,
      scoreOf: id,
      userId: score.userId,
      ...(graded
        ? {
            resultScore:
              ((score.scoreGiven ?? 0) * stored.item.scoreMaximum) / (score.scoreMaximum ?? 1),
          }
        : {}),
      resultMaximum: stored.item.scoreMaximum,
      ...(score.comment !== undefined ? { comment: score.comment } : {}),
    };
  }

  private idOf(stored: StoredLineItem): string {
    return `${this.issuer}${SERVICES_PATH}${encodeURIComponent(stored.contextId)}/lineitems/${stored.number}/lineitem?type_id=${stored.typeId}`;
  }

  private view(stored: StoredLineItem): LineItem {
    return { id: this.idOf(stored), ...stored.item };
  }
}

function lineItemResponse(
  status: number,
  item: LineItem,
  headers: Record<string, string> = {},
): ServiceResponse {
  return { status, headers: { 'content-type': AGS_MEDIA_TYPE.lineItem, ...headers }, body: item };
}

/** `limit` + opaque `from` paging with Link rel="next", other query parameters kept. */
function paged(all: unknown[], url: URL, fallback: number, type: string): ServiceResponse {
  const limit = limitOf(url, fallback);
  const from = url.searchParams.has('from')
    ? (decodeMarker(url.searchParams.get('from'), 'from').o ?? 0)
    : 0;
  const headers: Record<string, string> = { 'content-type': type };
  if (from + limit < all.length) {
    const next = new URL(url.href);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('from', encodeMarker({ o: from + limit }));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { status: 200, headers, body: all.slice(from, from + limit) };
}

function validLineItem(body: Record<string, unknown>): LineItemInput {
  if (typeof body.label !== 'string' || !body.label.trim()) {
    refuse(400, 'invalid_line_item', 'label is required');
  }
  if (
    typeof body.scoreMaximum !== 'number' ||
    !Number.isFinite(body.scoreMaximum) ||
    body.scoreMaximum <= 0
  ) {
    refuse(400, 'invalid_line_item', 'scoreMaximum must be a number greater than 0');
  }
  for (const name of ['resourceId', 'tag', 'resourceLinkId'] as const) {
    if (body[name] !== undefined && typeof body[name] !== 'string') {
      refuse(400, 'invalid_line_item', `${name} must be a string`);
    }
  }
  for (const name of ['startDateTime', 'endDateTime'] as const) {
    const value = body[name];
    if (value !== undefined && (typeof value !== 'string' || !DATE_TIME.test(value))) {
      refuse(400, 'invalid_line_item', `${name} must be an ISO 8601 date-time`);
    }
  }
  const item: LineItemInput = { label: body.label, scoreMaximum: body.scoreMaximum };
  for (const name of ['resourceId', 'tag', 'resourceLinkId', 'startDateTime', 'endDateTime']) {
    if (typeof body[name] === 'string') {
      (item as unknown as Record<string, unknown>)[name] = body[name];
    }
  }
  return item;
}

function validScore(body: Record<string, unknown>): AgsScore {
  const bad = (message: string): never => refuse(400, 'invalid_score', message);
  if (typeof body.userId !== 'string' || !body.userId) {
    bad('userId is required');
  }
  if (typeof body.timestamp !== 'string' || !TIMESTAMP.test(body.timestamp)) {
    bad('timestamp must be ISO 8601 with sub-second precision and a time zone');
  }
  if (Number.isNaN(Date.parse(body.timestamp as string))) {
    bad('timestamp is not a date');
  }
  if (!ACTIVITY_PROGRESS.includes(body.activityProgress as string)) {
    bad(`activityProgress must be one of ${ACTIVITY_PROGRESS.join(', ')}`);
  }
  if (!GRADING_PROGRESS.includes(body.gradingProgress as string)) {
    bad(`gradingProgress must be one of ${GRADING_PROGRESS.join(', ')}`);
  }
  const number = (name: string) => {
    const value = body[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      bad(`${name} must be a number`);
    }
  };
  number('scoreGiven');
  number('scoreMaximum');
  if (body.scoreGiven !== undefined) {
    if ((body.scoreGiven as number) < 0) {
      bad('scoreGiven must not be negative');
    }
    if (body.scoreMaximum === undefined) {
      bad('scoreMaximum is required with scoreGiven');
    }
  }
  if (body.scoreMaximum !== undefined && (body.scoreMaximum as number) <= 0) {
    bad('scoreMaximum must be greater than 0');
  }
  if (body.comment !== undefined && typeof body.comment !== 'string') {
    bad('comment must be a string');
  }
  return body as AgsScore;
}

function parsed(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
