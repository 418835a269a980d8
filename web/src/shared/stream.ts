/**
 * Server-Sent Events read with `fetch` and a stream reader instead of
 * EventSource, so the request carries the `Authorization` header and no token
 * ever goes into a URL. Reconnects after a dropped stream (1 s, doubling to
 * 15 s); a refused one (401/403/…) ends it and reports the envelope's message.
 */
import { errorFrom, type ApiError } from './api';
import type { Session } from './session';

export interface StreamEvent {
  event: string;
  data: string;
  id?: string;
}

export interface StreamHandlers {
  onEvent: (event: StreamEvent) => void;
  /** `true` once the stream answers, `false` while it is down and being retried. */
  onConnection?: (open: boolean) => void;
  /** The service refused the stream; it is not retried. */
  onRefused?: (error: ApiError) => void;
}

/** Splits a text/event-stream into events (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;

  constructor(private readonly emit: (event: StreamEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.emit({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment: the heartbeat
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }
}

/** Opens the stream at `path`; the returned function closes it. */
export function openStream(session: Session, path: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let delay = 1000;

  const run = async () => {
    while (!abort.signal.aborted) {
      const token = session.getToken();
      if (!token) return;
      try {
        const res = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
        if (!res.ok || !res.body) {
          const body: unknown = await res.json().catch(() => null);
          if (res.status === 401) session.expire();
          if (res.status < 500) {
            handlers.onRefused?.(errorFrom(res, body));
            return;
          }
          throw new Error(`HTTP ${res.status}`);
        }
        handlers.onConnection?.(true);
        delay = 1000;
        const parser = new EventStreamParser(handlers.onEvent);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      handlers.onConnection?.(false);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  void run();
  return () => abort.abort();
}
