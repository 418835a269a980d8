import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RawResponse {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** What `body` parses to when it is JSON, else undefined. */
  json: any;
  elapsedMs: number;
}

/**
 * One HTTP/1.1 exchange on a fresh socket, for what `inject` cannot show:
 * the raw parser's limits (431), timeouts, slow bodies. `body` pieces are
 * written one after another, `pauseMs` apart, until the server answers or closes.
 */
export async function rawRequest(
  port: number,
  head: string,
  opts: { body?: string[]; pauseMs?: number; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let ended = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => {
      ended = true;
      resolve();
    });
    socket.on('error', () => undefined);
  });
  const limit = setTimeout(() => socket.destroy(), opts.timeoutMs ?? 10_000);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(head);
  for (const piece of opts.body ?? []) {
    if (ended || chunks.length > 0) break;
    if (opts.pauseMs) await sleep(opts.pauseMs);
    if (!socket.destroyed) socket.write(piece);
  }
  // The answer: wait for the server to close, or for a complete response.
  while (!ended) {
    const text = Buffer.concat(chunks).toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    if (split >= 0) {
      const length = /content-length:\s*(\d+)/i.exec(text.slice(0, split));
      if (length && Buffer.byteLength(text.slice(split + 4)) >= Number(length[1])) break;
    }
    await Promise.race([done, sleep(20)]);
  }
  clearTimeout(limit);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const headLines = (split >= 0 ? text.slice(0, split) : text).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headLines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headLines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = split >= 0 ? text.slice(split + 4) : '';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json, elapsedMs: Date.now() - started };
}
