import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { dependencyDown } from '../../platform/dependencies';
import { fail } from '../../platform/http/errors';
import { sseEnvelope, type SseHub, type SseStream } from '../../platform/http/sse';
import type { PubSub } from '../../platform/redis/pubsub';
import type { QueueKeys, QueueRedis, StreamSettings } from './redis';
import type { EntryRow, QueueRepository } from './repository';
import {
  settledStatus,
  STATUS_EVENT,
  TERMINAL_EVENTS,
  waitingStatus,
  type EntryStatus,
  type QueueStatusResponse,
} from './schemas';

/**
 * A message on a queue's pub/sub channel (`queue:{type:id}:events`), heard by
 * every instance that has streams of that queue open.
 */
export interface StreamEvent {
  /** Admitted (MySQL already ENTERED): `queue-status` ENTERED, `queue-entered`, then close. */
  entered?: string[];
  /** Left the line: `queue-status` LEFT, `queue-left`, then close. */
  left?: string[];
  /** Admission over: `queue-status` EXPIRED, `queue-expired`, then close. */
  expired?: string[];
  /** The queue was deactivated: every stream gets `queue-status` LEFT and `queue-left`, then closes. */
  closed?: boolean;
  /**
   * This token subscribed again on instance `by`, at `opened` (Redis' clock, µs): other
   * instances close their stream of it if it opened before that.
   */
  replace?: string;
  by?: string;
  opened?: string;
}

export interface StreamDeps {
  redis: QueueRedis;
  pubsub: PubSub;
  sse: SseHub;
  log: FastifyBaseLogger;
  repo: QueueRepository;
}

export interface StreamOptions {
  tickMs?: number;
  heartbeatMs?: number;
  maxStreamMs?: number;
  missingGraceMs?: number;
}

/** Frames a tick writes before it yields to the event loop. */
const SENDS_PER_SLICE = 500;

/** One open stream of a WAITING entry. */
interface Subscriber {
  token: string;
  entryId: number;
  queueId: number;
  /** Its score in the line (the entry id): the line is read up to the furthest local subscriber. */
  score: number;
  stream: SseStream;
  openedAt: number;
  lastSentAt: number;
  position: number;
  sentPosition: number;
  /** Set while the token is not in the line and no terminal event has come for it. */
  missingSince: number | null;
  /** The last line read that found it. */
  seen: number;
  /** When it opened on Redis' clock (µs); null until its open's answer is in. */
  opened: number | null;
  /** The newest notice of another stream of its token that came while it was opening (µs; 0: none). */
  replacedAt: number;
}

/** One queue's local subscribers and its single ticker on this instance. */
class Line {
  readonly subs = new Map<string, Subscriber>();
  /** Streams between "line found" and "registered": the line must not stop under them. */
  pending = 0;
  timer?: NodeJS.Timeout;
  unsubscribe?: () => void;
  ready!: Promise<void>;
  /** `ver` as last read ('-' never matches), to skip re-reading an unchanged line. */
  ver = '-';
  total = 0;
  busy = false;
  /** Counts line reads (a subscriber not stamped with the latest is missing from the line). */
  reads = 0;

  constructor(
    readonly keys: QueueKeys,
    public settings: StreamSettings,
  ) {}
}

/**
 * The queue streams' fan-out (contract §0 'queue SSE frames', §3.3).
 *
 * Cost does not grow per subscriber: one ticker per queue with local streams
 * on this instance (only while it has some) runs every `tickMs` and sends ONE
 * Redis command (tick.lua: ver, ZCARD, the settings, and — only when `ver`
 * says a position changed, e.g. an admission or a leave — the line up to the
 * furthest local subscriber), from which every local subscriber's position is
 * computed; frames go out in slices so a big fan-out never holds the event
 * loop for long. Terminal events come by pub/sub (one SUBSCRIBE per queue per
 * process), so `queue-entered` reaches every instance's streams right after
 * the admission batch.
 */
export class QueueStreams {
  private readonly lines = new Map<string, Line>();
  private readonly instanceId = randomUUID();
  private tickMs: number;
  private heartbeatMs: number;
  private maxStreamMs: number;
  private graceMs: number;
  private closed = false;
  private maxTickMs = 0;

  constructor(
    private readonly deps: StreamDeps,
    options: StreamOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 1000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxStreamMs = options.maxStreamMs ?? 300_000;
    this.graceMs = options.missingGraceMs ?? 2000;
  }

  /**
   * Changes the timings given to the constructor (the ones given here; others
   * stay). Only while no queue has a ticker on this instance (start-up, tests):
   * a running ticker keeps its period.
   */
  configure(options: StreamOptions): void {
    if (this.lines.size > 0) throw new Error('queue streams are open: configure before the first subscriber');
    this.tickMs = options.tickMs ?? this.tickMs;
    this.heartbeatMs = options.heartbeatMs ?? this.heartbeatMs;
    this.maxStreamMs = options.maxStreamMs ?? this.maxStreamMs;
    this.graceMs = options.missingGraceMs ?? this.graceMs;
  }

  /** Open streams on this instance (all queues). */
  get size(): number {
    let n = 0;
    for (const line of this.lines.values()) n += line.subs.size;
    return n;
  }

  /** Queues with a running ticker on this instance. */
  get tickers(): number {
    return this.lines.size;
  }

  /** The longest tick since the last call (ms, wall time: its Redis round trip and the yields between slices included). */
  takeMaxTickMs(): number {
    const max = this.maxTickMs;
    this.maxTickMs = 0;
    return max;
  }

  /**
   * Opens the stream of a (validated) entry: a settled entry gets a
   * `queue-status` with its status, then its terminal event, and the stream
   * closes (a buyer admitted between two reconnects moves on); a WAITING one
   * joins its queue's line here, gets one `queue-status` right away, replaces
   * any older stream of the same token (here directly, on other instances by
   * pub/sub), and is then served by the ticker.
   */
  async open(request: FastifyRequest, reply: FastifyReply, keys: QueueKeys, entry: EntryRow, settings: StreamSettings): Promise<void> {
    if (this.closed) throw fail('SERVICE_UNAVAILABLE'); // shutting down: the client's EventSource retries elsewhere
    if (entry.status !== 'WAITING') {
      const stream = this.deps.sse.open(request, reply);
      this.terminal(stream, entry.entry_token, entry.status);
      return;
    }
    const line = this.lineFor(keys, settings);
    line.pending++;
    try {
      await line.ready;
    } finally {
      line.pending--;
    }

    const stream = this.deps.sse.open(request, reply);
    const now = Date.now();
    const sub: Subscriber = {
      token: entry.entry_token,
      entryId: entry.id,
      queueId: entry.queue_id,
      score: entry.id,
      stream,
      openedAt: now,
      lastSentAt: 0,
      position: 0,
      sentPosition: -1,
      missingSince: null,
      seen: line.reads,
      opened: null,
      replacedAt: 0,
    };
    const old = line.subs.get(sub.token);
    line.subs.set(sub.token, sub);
    old?.stream.close();
    stream.onClose(() => {
      if (line.subs.get(sub.token) === sub) line.subs.delete(sub.token);
    });
    stream.beforeShutdown = () => this.send(sub, STATUS_EVENT, this.statusOf(line, sub));
    // One round trip: the position, and the notice that closes this token's older streams on other instances.
    const { rank, size, settings: current, opened } = await this.deps.redis.openStream(keys, sub.token, this.instanceId);
    sub.opened = opened;
    if (sub.replacedAt > opened) {
      // A newer stream of the token opened elsewhere while this one was opening.
      stream.close();
      return;
    }
    this.applyMeta(line, current);
    line.total = size;
    if (rank !== null) {
      sub.position = rank + 1;
      this.send(sub, STATUS_EVENT, this.statusOf(line, sub));
    } else {
      await this.resolve(line, [sub]);
    }
  }

  /** Stops every ticker and pub/sub subscription (streams are closed by the SSE hub). */
  async close(): Promise<void> {
    this.closed = true;
    for (const line of this.lines.values()) this.stop(line);
  }

  // ---- internals -------------------------------------------------------------------

  private lineFor(keys: QueueKeys, settings: StreamSettings): Line {
    const existing = this.lines.get(keys.waiting);
    if (existing) return existing;
    const line = new Line(keys, settings);
    this.lines.set(keys.waiting, line);
    line.ready = this.deps.pubsub
      .subscribe([keys.channel], (message) => this.onEvent(line, message))
      .then((unsubscribe) => {
        line.unsubscribe = unsubscribe;
        if (this.closed || this.lines.get(keys.waiting) !== line) return this.stop(line);
        line.timer = setInterval(() => void this.tick(line), this.tickMs);
        line.timer.unref();
      });
    line.ready.catch(() => {
      if (this.lines.get(keys.waiting) === line) this.lines.delete(keys.waiting);
    });
    return line;
  }

  private stop(line: Line): void {
    if (line.timer) clearInterval(line.timer);
    line.timer = undefined;
    line.unsubscribe?.();
    line.unsubscribe = undefined;
    if (this.lines.get(line.keys.waiting) === line) this.lines.delete(line.keys.waiting);
  }

  private onEvent(line: Line, message: string): void {
    let event: StreamEvent;
    try {
      event = JSON.parse(message) as StreamEvent;
    } catch {
      return;
    }
    if (event.replace !== undefined) {
      const sub = line.subs.get(event.replace);
      if (!sub) return;
      // Streams replaced on this instance were closed at once. A notice reaches other instances
      // when it does (on a Cluster, through the cluster bus): only a stream opened before it goes.
      const opened = Number(event.opened);
      if (!(opened > 0)) {
        if (event.by !== this.instanceId) sub.stream.close(); // from an instance that doesn't stamp notices yet
      } else if (sub.opened === null) sub.replacedAt = Math.max(sub.replacedAt, opened);
      else if (sub.opened < opened) sub.stream.close();
      return;
    }
    const settle = (tokens: string[] | undefined, status: Exclude<EntryStatus, 'WAITING'>) => {
      for (const token of tokens ?? []) {
        const sub = line.subs.get(token);
        if (sub) this.finish(line, sub, status);
      }
    };
    settle(event.entered, 'ENTERED');
    settle(event.left, 'LEFT');
    settle(event.expired, 'EXPIRED');
    if (event.closed) for (const sub of [...line.subs.values()]) this.finish(line, sub, 'LEFT');
  }

  /** One tick of a queue: read the line (only if it changed), then push what each subscriber is due. */
  private async tick(line: Line): Promise<void> {
    if (line.busy) return;
    if (line.subs.size === 0) {
      if (line.pending === 0) this.stop(line);
      return;
    }
    line.busy = true;
    const started = performance.now();
    try {
      const now = await this.refresh(line);
      const overdue: Subscriber[] = [];
      let sent = 0;
      // The map itself is walked (no copy): subscribers settled meanwhile are skipped by the iterator.
      for (const sub of line.subs.values()) {
        if (sent >= SENDS_PER_SLICE) {
          // Let pub/sub (admissions) and I/O in between slices: a big fan-out never holds the loop long.
          sent = 0;
          await new Promise((resolve) => setImmediate(resolve));
          if (line.subs.get(sub.token) !== sub) continue;
        }
        if (sub.missingSince !== null) {
          // Not in the line and no terminal event yet (an admission in flight): ask MySQL after the grace period.
          if (now - sub.missingSince >= this.graceMs) overdue.push(sub);
          else if (now - sub.openedAt >= this.maxStreamMs) this.expire(line, sub);
          continue;
        }
        if (now - sub.openedAt >= this.maxStreamMs) {
          this.expire(line, sub);
          sent++;
        } else if (
          (sub.position !== sub.sentPosition && now - sub.lastSentAt >= this.tickMs - 50) ||
          now - sub.lastSentAt >= this.heartbeatMs
        ) {
          this.send(sub, STATUS_EVENT, this.statusOf(line, sub));
          sent++;
        }
      }
      if (overdue.length > 0) await this.resolve(line, overdue);
    } catch (err) {
      // An outage is logged once, by the dependency monitor; not once per tick here.
      if (dependencyDown(err)) this.deps.log.debug({ err, queue: line.keys.waiting }, 'queue stream tick skipped: a dependency is down');
      else this.deps.log.warn({ err, queue: line.keys.waiting }, 'queue stream tick failed');
    } finally {
      line.busy = false;
      this.maxTickMs = Math.max(this.maxTickMs, performance.now() - started);
    }
  }

  /**
   * One command per tick, whatever the number of subscribers (tick.lua); the
   * line is read only when it moved, and every local subscriber's position is
   * its index in it. (Its own function, so the line's tokens are garbage as
   * soon as positions are set.)
   */
  private async refresh(line: Line): Promise<number> {
    const { keys } = line;
    let maxScore = 0;
    for (const sub of line.subs.values()) if (sub.score > maxScore) maxScore = sub.score;
    const tick = await this.deps.redis.tick(keys, line.ver, maxScore);
    line.total = tick.size;
    this.applyMeta(line, tick.settings);
    const now = Date.now();
    if (tick.changed) {
      const { members } = tick;
      line.ver = tick.ver;
      const read = ++line.reads;
      for (let i = 0; i < members.length; i++) {
        const sub = line.subs.get(members[i]);
        if (!sub) continue;
        sub.position = i + 1;
        sub.missingSince = null;
        sub.seen = read;
      }
      for (const sub of line.subs.values()) if (sub.seen !== read) sub.missingSince ??= now;
    }
    return now;
  }

  /**
   * Subscribers whose token is not in the Redis line: MySQL says what they are.
   * A settled entry gets its terminal event; one still WAITING (Redis lost the
   * line, or an admission is between Redis and MySQL) gets MySQL's position and
   * is looked at again after another grace period.
   */
  private async resolve(line: Line, subs: Subscriber[]): Promise<void> {
    const rows = await this.deps.repo.statusesOf(subs.map((s) => s.token));
    const waiting = subs.filter((s) => rows.get(s.token)?.status === 'WAITING');
    let ids: number[] | undefined;
    if (waiting.length > 3) ids = await this.deps.repo.waitingIds(waiting[0].queueId);
    const now = Date.now();
    for (const sub of subs) {
      if (line.subs.get(sub.token) !== sub) continue; // closed or settled meanwhile
      const status = (rows.get(sub.token)?.status ?? 'LEFT') as EntryStatus;
      if (status !== 'WAITING') {
        this.finish(line, sub, status);
        continue;
      }
      sub.position = ids ? lowerBound(ids, sub.entryId) + 1 : (await this.deps.repo.countWaitingBefore(sub.queueId, sub.entryId)) + 1;
      sub.missingSince = now;
      if (sub.lastSentAt === 0 || sub.position !== sub.sentPosition || now - sub.lastSentAt >= this.heartbeatMs) {
        this.send(sub, STATUS_EVENT, this.statusOf(line, sub));
      }
    }
  }

  /** Settings read from Redis replace the line's (none read: it keeps what it had). */
  private applyMeta(line: Line, settings: StreamSettings | null): void {
    if (settings) line.settings = settings;
  }

  /** A WAITING subscriber's status, built when sent (nothing per subscriber is kept between ticks but numbers). */
  private statusOf(line: Line, sub: Subscriber): QueueStatusResponse {
    return waitingStatus(sub.token, sub.position, Math.max(line.total, sub.position), line.settings);
  }

  private send(sub: Subscriber, event: string, data: QueueStatusResponse): void {
    sub.stream.send({ event, data: sseEnvelope(event, data) });
    sub.lastSentAt = Date.now();
    if (data.status === 'WAITING') sub.sentPosition = data.position;
  }

  /** The 5-minute limit: a last `queue-status`, then close (EventSource reconnects by itself). */
  private expire(line: Line, sub: Subscriber): void {
    line.subs.delete(sub.token);
    this.send(sub, STATUS_EVENT, this.statusOf(line, sub));
    sub.stream.close();
  }

  private finish(line: Line, sub: Subscriber, status: Exclude<EntryStatus, 'WAITING'>): void {
    if (line.subs.get(sub.token) === sub) line.subs.delete(sub.token);
    this.terminal(sub.stream, sub.token, status);
  }

  /**
   * A settled entry's last frames: a `queue-status` with its status (clients
   * that listen only for `queue-status` move on with it), then its terminal
   * event, then close.
   */
  private terminal(stream: SseStream, token: string, status: Exclude<EntryStatus, 'WAITING'>): void {
    const data = settledStatus(token, status);
    const event = TERMINAL_EVENTS[status];
    stream.send({ event: STATUS_EVENT, data: sseEnvelope(STATUS_EVENT, data) });
    stream.send({ event, data: sseEnvelope(event, data) });
    stream.close();
  }
}

/** Index of the first element >= value in an ascending list. */
function lowerBound(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
