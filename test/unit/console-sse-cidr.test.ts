/**
 * The web console's pure pieces under Node: the Server-Sent Events parser it reads WatchVcoRouteChanges with
 * (events split across chunks, CRLF, comments, multi-line data) and the CIDR matching of its route search.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../../web/src/sse';
import { overlaps, parseCidr } from '../../web/src/cidr';

test('SSE: events split anywhere across chunks come out whole, in order, with their ids', () => {
  const wire = ': keep-alive\n\nid: 41\nevent: route-change\ndata: {"EventId":"41"}\n\nid: 42\r\nevent: route-change\r\ndata: {"EventId":\r\ndata: "42"}\r\n\r\n';
  for (let cut = 0; cut <= wire.length; cut++) {
    const p = new SseParser();
    const events = [...p.feed(wire.slice(0, cut)), ...p.feed(wire.slice(cut))];
    assert.deepEqual(events, [
      { id: '41', event: 'route-change', data: '{"EventId":"41"}' },
      { id: '42', event: 'route-change', data: '{"EventId":\n"42"}' },
    ], `cut at ${cut}`);
  }
});

test('SSE: a comment alone is no event; an event without data is dropped; the id carries over', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed(': keep-alive\n\n'), []);
  assert.deepEqual(p.feed('id: 7\nevent: x\n\n'), []);
  assert.deepEqual(p.feed('data:no space\n\n'), [{ id: '7', event: 'message', data: 'no space' }]);
});

test('CIDR search: blocks and addresses, subnets and covering routes', () => {
  const r = (s: string) => parseCidr(s)!;
  assert.deepEqual(parseCidr('10.1.2.3'), { first: 0x0a010203, last: 0x0a010203 });
  assert.deepEqual(parseCidr('10.1.2.3/16'), { first: 0x0a010000, last: 0x0a01ffff }, 'host bits cleared');
  assert.deepEqual(parseCidr('0.0.0.0/0'), { first: 0, last: 0xffffffff });
  for (const bad of ['10.1.2', '256.0.0.0', '10.0.0.0/33', 'fe80::/64', '', '10.0.0.0/']) assert.equal(parseCidr(bad), undefined, bad);
  assert.ok(overlaps(r('10.0.0.0/8'), r('10.3.0.0/16')), 'a subnet of the block');
  assert.ok(overlaps(r('10.3.7.9'), r('10.3.0.0/16')), 'a route covering the address');
  assert.ok(!overlaps(r('10.0.0.0/12'), r('10.16.0.0/16')), 'next to the block');
  assert.ok(!overlaps(r('192.168.0.0/24'), r('192.168.1.0/24')));
});
