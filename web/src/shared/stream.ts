/**
 * Server-Sent Events read with `fetch` and a stream reader instead of
 * EventSource, so the request carries the `Authorization` header and no token
 * ever goes into a URL. Reconnects after a dropped stream (1 s, doubling to
 * 15 s); a refused one (401/403/…) ends it and reports the envelope's message.
 */
import { errorFrom, type ApiError } from './api';
import type { Session } from './session';
import { EventStreamParser, type StreamEvent } from './event-stream';

export type { StreamEvent };

export interface StreamHandlers {
  onEvent: (event: StreamEvent) => void;
  /** `true` once the stream answers, `false` while it is down and being retried. */
  onConnection?: (open: boolean) => void;
  /** The service refused the stream; it is not retried. */
  onRefused?: (error: ApiError) => void;
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
