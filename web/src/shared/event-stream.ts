/** The text/event-stream format, parsed as it arrives in chunks (no DOM needed, so node tests it too). */

export interface StreamEvent {
  event: string;
  data: string;
  id?: string;
}

/** Splits a text/event-stream into events (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private afterCR = false;

  constructor(private readonly emit: (event: StreamEvent) => void) {}

  push(chunk: string): void {
    // The last chunk ended in \r: a \n starting this one belongs to that CRLF, not a blank line.
    if (this.afterCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      this.line(line);
    }
    this.afterCR = this.buffer === '' && chunk.endsWith('\r');
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
