import { request, type IncomingMessage } from 'node:http';

/** One Server-Sent Events frame as received (`data` parsed as JSON). */
export interface SseFrame {
  id?: string;
  event?: string;
  comment?: string;
  data?: any;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface SseStream {
  res: IncomingMessage;
  frames: SseFrame[];
  /** Resolves with the first frame (already received or yet to come) matching `pred`. */
  next: (pred: (f: SseFrame) => boolean, timeoutMs?: number) => Promise<SseFrame>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close: () => void;
  /** The parsed body of a non-2xx answer (no frames then). */
  error?: any;
}

/** Opens `url` as an SSE stream and collects its frames as they arrive. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const frames: SseFrame[] = [];
      const waiters: { pred: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.on('end', () => endedResolve());
      res.on('close', () => endedResolve());
      const stream: SseStream = {
        res,
        frames,
        ended,
        close: () => req.destroy(),
        next: (pred, timeoutMs = 10_000) =>
          new Promise<SseFrame>((res2, rej2) => {
            const found = frames.find(pred);
            if (found) return res2(found);
            const timer = setTimeout(() => rej2(new Error(`no matching frame; got ${JSON.stringify(frames)}`)), timeoutMs);
            waiters.push({ pred, resolve: (f) => (clearTimeout(timer), res2(f)) });
          }),
      };
      if ((res.statusCode ?? 0) >= 300) {
        let body = '';
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          stream.error = JSON.parse(body);
          resolve(stream);
        });
        return;
      }
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = { at: Date.now() };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1);
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
          }
          frames.push(frame);
          for (const w of [...waiters]) {
            if (w.pred(frame)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(frame);
            }
          }
        }
      });
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}
