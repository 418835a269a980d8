import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, PageSchema } from '../../platform/http/pagination';
import { DateTime, msg, Nullable, OptionalNullable } from '../../platform/http/schema';

/** Contract §0.2: an entry's states. WAITING and ENTERED are "live" (one per user and queue). */
export const ENTRY_STATUSES = ['WAITING', 'ENTERED', 'EXPIRED', 'LEFT'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** Used when an activate request leaves `entryTtlSeconds` out (contract §0: 10 minutes). */
export const DEFAULT_ENTRY_TTL_SECONDS = 600;

/** MySQL INT: the settings' columns. */
const INT_MAX = 2_147_483_647;

// ---- requests ---------------------------------------------------------------------

const positiveInt = (required: string, minimum: string, maximum: string) =>
  msg(Type.Integer({ minimum: 1, maximum: INT_MAX }), { required, type: required, minimum, maximum });

/** Contract §3.4 QueueActivateRequest (exact messages), plus the optional `entryTtlSeconds`. */
export const QueueActivateRequest = Type.Object(
  {
    maxCapacity: positiveInt('Max capacity is required', 'Max capacity must be at least 1', `Max capacity must be at most ${INT_MAX}`),
    entryBatchSize: positiveInt(
      'Entry batch size is required',
      'Entry batch size must be at least 1',
      `Entry batch size must be at most ${INT_MAX}`,
    ),
    entryIntervalSeconds: positiveInt(
      'Entry interval is required',
      'Entry interval must be at least 1 second',
      `Entry interval must be at most ${INT_MAX} seconds`,
    ),
    entryTtlSeconds: OptionalNullable(
      msg(Type.Integer({ minimum: 1, maximum: INT_MAX }), {
        type: 'Entry TTL must be a whole number of seconds',
        minimum: 'Entry TTL must be at least 1 second',
        maximum: `Entry TTL must be at most ${INT_MAX} seconds`,
      }),
    ),
  },
  { additionalProperties: false, examples: [{ maxCapacity: 100, entryBatchSize: 10, entryIntervalSeconds: 5, entryTtlSeconds: 600 }] },
);
export type QueueActivateRequest = Static<typeof QueueActivateRequest>;

/**
 * `eventType` is a case-sensitive name (`TIMEDEAL` ≠ `timedeal`) of 1–50
 * characters (the column): words of letters (any script, with their combining
 * marks) and digits, joined by single `_`, `.` or `-`. So no white space, no
 * control characters, no emoji or symbols, no `..`, and none of the `:`, `{`,
 * `}` or `/` that would blur the Redis key or the path it is part of.
 */
export const EVENT_TYPE_PATTERN = '^[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}]*([_.-][\\p{L}\\p{M}\\p{N}]+)*$';

const EventType = msg(Type.String({ minLength: 1, maxLength: 50, pattern: EVENT_TYPE_PATTERN }), {
  required: 'Event type is required',
  minLength: 'Event type is required',
  maxLength: 'Event type must be at most 50 characters',
  pattern: "Event type must be letters and digits, optionally joined by single '_', '.' or '-'",
});

const EventId = msg(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), {
  required: 'Event id must be a positive integer',
  type: 'Event id must be a positive integer',
  minimum: 'Event id must be a positive integer',
  maximum: 'Event id must be a positive integer',
});

/**
 * An entry token is a random UUID in lowercase (the shape `enter` hands out):
 * anything else never reaches a query and answers 400 C002; a well-formed token
 * that names no entry is S803.
 */
export const ENTRY_TOKEN_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const EntryToken = msg(Type.String({ minLength: 36, maxLength: 36, pattern: ENTRY_TOKEN_PATTERN }), {
  required: 'Entry token is required',
  minLength: 'Entry token must be a lowercase UUID',
  maxLength: 'Entry token must be a lowercase UUID',
  pattern: 'Entry token must be a lowercase UUID',
});

export const QueueParams = Type.Object({ eventType: EventType, eventId: EventId });
export const TokenParams = Type.Object({ entryToken: EntryToken });
export const SubscribeParams = Type.Object({ eventType: EventType, eventId: EventId, entryToken: EntryToken });

/** `GET /admin/queues`: pages of waiting rooms; `active=true|false` filters. */
export const AdminQueueListQuery = Type.Object({
  ...PageQuery(20),
  active: Type.Optional(msg(Type.Boolean(), { type: 'active must be true or false' })),
});

// ---- responses --------------------------------------------------------------------

/** Contract §3.2 QueueStatusResponse (field order as listed). */
export const QueueStatusResponse = Type.Object({
  entryToken: Type.String(),
  status: Type.Unsafe<EntryStatus>({ type: 'string', enum: [...ENTRY_STATUSES] }),
  position: Type.Integer(),
  estimatedWaitSeconds: Type.Integer(),
  totalWaiting: Type.Integer(),
  message: Type.String(),
}, {
  $id: 'QueueStatus',
  examples: [
    {
      entryToken: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
      status: 'WAITING',
      position: 12,
      estimatedWaitSeconds: 5,
      totalWaiting: 340,
      message: '현재 12번째 대기 중입니다. 예상 대기 시간: 5초',
    },
  ],
});
export type QueueStatusResponse = Static<typeof QueueStatusResponse>;


/** Contract §3.2 "Queue values": the messages of the states that are not WAITING. */
export const STATUS_MESSAGES: Record<Exclude<EntryStatus, 'WAITING'>, string> = {
  ENTERED: '입장이 완료되었습니다.',
  EXPIRED: '대기열이 만료되었습니다.',
  LEFT: '대기열에서 나갔습니다.',
};

/**
 * `estimatedWaitSeconds = ((rank+1) / entryBatchSize) * entryIntervalSeconds`
 * with integer division (the original's Java long arithmetic).
 */
export function estimatedWaitSeconds(position: number, entryBatchSize: number, entryIntervalSeconds: number): number {
  return Math.floor(position / entryBatchSize) * entryIntervalSeconds;
}

/** A WAITING entry's answer: `position` is 1-based (ZRANK + 1). */
export function waitingStatus(
  entryToken: string,
  position: number,
  totalWaiting: number,
  settings: { entryBatchSize: number; entryIntervalSeconds: number },
): QueueStatusResponse {
  const est = estimatedWaitSeconds(position, settings.entryBatchSize, settings.entryIntervalSeconds);
  return {
    entryToken,
    status: 'WAITING',
    position,
    estimatedWaitSeconds: est,
    totalWaiting,
    message: `현재 ${position}번째 대기 중입니다. 예상 대기 시간: ${est}초`,
  };
}

/** ENTERED, EXPIRED and LEFT answer 0 for all three numbers. */
export function settledStatus(entryToken: string, status: Exclude<EntryStatus, 'WAITING'>): QueueStatusResponse {
  return { entryToken, status, position: 0, estimatedWaitSeconds: 0, totalWaiting: 0, message: STATUS_MESSAGES[status] };
}

/** SSE event names (contract §0 'queue SSE frames'): the terminal event of each settled status. */
export const TERMINAL_EVENTS: Record<Exclude<EntryStatus, 'WAITING'>, string> = {
  ENTERED: 'queue-entered',
  EXPIRED: 'queue-expired',
  LEFT: 'queue-left',
};
export const STATUS_EVENT = 'queue-status';

/** A waiting room as an operator sees it: its settings and, while active, its line and admitted entries (Redis). */
export const QueueAdminResponse = Type.Object({
  id: Type.Integer(),
  eventType: Type.String(),
  eventId: Type.Integer(),
  active: Type.Boolean(),
  maxCapacity: Type.Integer(),
  entryBatchSize: Type.Integer(),
  entryIntervalSeconds: Type.Integer(),
  entryTtlSeconds: Type.Integer(),
  /** Entries in the line now (0 once closed). */
  waiting: Type.Integer(),
  /** Admitted entries still holding capacity (0 once closed). */
  admitted: Type.Integer(),
  createdAt: DateTime,
  activatedAt: Nullable(DateTime),
  deactivatedAt: Nullable(DateTime),
}, {
  $id: 'WaitingRoom',
  examples: [
    {
      id: 3,
      eventType: 'TIMEDEAL',
      eventId: 7,
      active: true,
      maxCapacity: 20,
      entryBatchSize: 5,
      entryIntervalSeconds: 5,
      entryTtlSeconds: 600,
      waiting: 1200,
      admitted: 20,
      createdAt: '2026-01-20T09:00:00.000Z',
      activatedAt: '2026-01-20T09:00:00.000Z',
      deactivatedAt: null,
    },
  ],
});
export type QueueAdminResponse = Static<typeof QueueAdminResponse>;
export const QueueAdminPage = PageSchema(QueueAdminResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const queueSchemas = [QueueStatusResponse, QueueAdminResponse, QueueAdminPage];
