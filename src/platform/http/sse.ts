import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseFrame {
  event?: string;
  id?: string | number;
  comment?: string;
  data?: unknown;
}

/** `{"type":…,"data":…,"timestamp":…}`: the envelope every SSE data line carries. */
export function sseEnvelope(type: string, data: unknown) {
  return { type, data, timestamp: new Date().toISOString() };
}

/** One open text/event-stream response. */
export class SseStream {
  private closed = false;
  private readonly closers: (() => void)[] = [];
  /** Sends the stream's last frame when the server shuts down (set by its owner). */
  beforeShutdown?: () => void;

  constructor(private readonly reply: FastifyReply) {
    reply.raw.on('close', () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(frame: SseFrame): void {
    if (this.closed) return;
    let out = '';
    if (frame.comment !== undefined) out += `:${frame.comment}\n`;
    if (frame.id !== undefined) out += `id: ${frame.id}\n`;
    if (frame.event !== undefined) out += `event: ${frame.event}\n`;
    if (frame.data !== undefined) out += `data: ${JSON.stringify(frame.data)}\n`;
    this.reply.raw.write(`${out}\n`);
  }

  /** Writes frames already in wire form (one serialisation shared by many streams). */
  sendText(text: string): void {
    if (!this.closed) this.reply.raw.write(text);
  }

  /** Runs when the stream ends, whoever ends it. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closers.push(fn);
  }

  close(): void {
    if (this.closed) return;
    this.reply.raw.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closers.splice(0)) fn();
  }
}

/**
 * Opens SSE streams and remembers them, so shutdown can send each a last
 * frame and close it instead of cutting clients off.
 */
export class SseHub {
  private readonly streams = new Set<SseStream>();

  open(request: FastifyRequest, reply: FastifyReply): SseStream {
    reply.hijack();
    // Headers set by hooks (CORS, request id) go out with the stream's own.
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string;
    reply.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.flushHeaders();
    request.raw.socket.setKeepAlive(true);
    request.raw.socket.setTimeout(0);
    const stream = new SseStream(reply);
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    return stream;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Ends every stream, each after its `beforeShutdown` frame. */
  closeAll(): void {
    for (const stream of [...this.streams]) {
      try {
        stream.beforeShutdown?.();
      } finally {
        stream.close();
      }
    }
  }
}
