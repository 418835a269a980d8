import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamParser, type StreamEvent } from '../src/shared/event-stream';

function parse(chunks: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const parser = new EventStreamParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return events;
}

const FRAME = 'event: sale-stats\ndata: {"type":"sale-stats","data":{"at":"2026-12-05T01:02:03.000Z"}}\n\n';

test('a sale-stats frame, whole or cut anywhere, gives the same one event', () => {
  const expected = [{ event: 'sale-stats', data: '{"type":"sale-stats","data":{"at":"2026-12-05T01:02:03.000Z"}}', id: undefined }];
  assert.deepEqual(parse([FRAME]), expected);
  for (let cut = 1; cut < FRAME.length; cut++) assert.deepEqual(parse([FRAME.slice(0, cut), FRAME.slice(cut)]), expected, `cut at ${cut}`);
});

test('comments (the heartbeat) are skipped; data lines join with newlines; CRLF and CR end lines too', () => {
  assert.deepEqual(parse([': ping\n\n']), []);
  assert.deepEqual(parse(['data: a\r\ndata: b\r\n\r\n']), [{ event: 'message', data: 'a\nb', id: undefined }]);
  assert.deepEqual(parse(['id: 7\revent: x\rdata:no-space\r\r']), [{ event: 'x', data: 'no-space', id: '7' }]);
  // A CRLF split between chunks is one line break, not an empty line that would end the event early.
  assert.deepEqual(parse(['data: a\r', '\ndata: b\r\n\r\n']), [{ event: 'message', data: 'a\nb', id: undefined }]);
});

test('an event is sent only when its blank line arrives; the next starts afresh', () => {
  const events = parse(['event: one\ndata: 1\n', '\nevent: two\ndata: 2\n\n', 'data: 3\n']);
  assert.deepEqual(events.map((e) => [e.event, e.data]), [['one', '1'], ['two', '2']]);
});
