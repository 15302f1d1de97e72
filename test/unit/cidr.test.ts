/** src/domain/cidr.ts: parsing, normalisation, containment and overlap, with generated cases against a bit-string model. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrContains, cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from '../../src/domain/cidr';
import { rng } from '../helpers/random';

describe('IPv4 addresses', () => {
  test('parses dotted quads to unsigned 32-bit numbers', () => {
    assert.equal(parseIpv4('0.0.0.0'), 0);
    assert.equal(parseIpv4('10.0.0.1'), 0x0a000001);
    assert.equal(parseIpv4('192.168.10.1'), 0xc0a80a01);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  });

  test('refuses anything that is not exactly four decimal octets 0-255 without leading zeros', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-1', '01.2.3.4', '1.2.3.04', ' 1.2.3.4', '1.2.3.4 ', '1..3.4',
      'a.b.c.d', '1.2.3.4/24', '0x1.2.3.4', '1e2.0.0.1', '+1.2.3.4']) {
      assert.equal(parseIpv4(bad), undefined, bad);
    }
  });

  test('formatIpv4 inverts parseIpv4, including the top bit', () => {
    for (const text of ['0.0.0.0', '128.0.0.0', '255.255.255.255', '192.168.10.1', '10.20.30.40']) {
      assert.equal(formatIpv4(parseIpv4(text)!), text);
    }
  });
});

describe('CIDR blocks', () => {
  test('strict parsing refuses host bits; normalising parsing clears them', () => {
    assert.deepEqual(parseCidr('192.168.10.0/24'), { network: 0xc0a80a00, prefix: 24 });
    assert.equal(parseCidr('192.168.10.1/24'), undefined);
    assert.deepEqual(parseCidr('192.168.10.1/24', true), { network: 0xc0a80a00, prefix: 24 });
    assert.equal(formatCidr(parseCidr('192.168.10.1/24', true)!), '192.168.10.0/24');
    assert.equal(formatCidr(parseCidr('10.255.255.255/8', true)!), '10.0.0.0/8');
    assert.equal(formatCidr(parseCidr('255.255.255.255/1', true)!), '128.0.0.0/1');
    assert.equal(formatCidr(parseCidr('1.2.3.4/0', true)!), '0.0.0.0/0');
    assert.equal(formatCidr(parseCidr('1.2.3.4/32')!), '1.2.3.4/32');
  });

  test('refuses bad prefixes and shapes', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.0/ 8',
      '10.0.0/8', '/8', '10.0.0.0/8 ', '300.0.0.0/8', '10.0.0.0/a']) {
      assert.equal(parseCidr(bad, true), undefined, bad);
    }
  });

  test('the parsers accept exactly the grammar written as regular expressions (generated texts, near misses included)', () => {
    // The specification the char-code parsers implement: four octets 0-255 without leading zeros, a prefix 0-32 likewise.
    const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
    const address = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);
    const block = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}/(3[0-2]|[12]?\\d)$`);
    const r = rng(0x1a2b);
    const pieces = ['0', '1', '9', '10', '25', '99', '100', '199', '249', '250', '255', '256', '299', '300', '00', '01', '010', '1000', '', ' ', 'a', '-1', '+1', '.', '/', '32', '33', '/8'];
    for (let i = 0; i < 20_000; i++) {
      const parts = Array.from({ length: r.int(1, 6) }, () => pieces[r.int(0, pieces.length - 1)]);
      const text = parts.join(r.int(0, 5) === 0 ? '' : '.') + (r.int(0, 1) === 0 ? `/${pieces[r.int(0, pieces.length - 1)]}` : '');
      const [ip, prefix] = text.split('/');
      assert.equal(parseIpv4(text) !== undefined, address.test(text), text);
      assert.equal(parseCidr(text, true) !== undefined, block.test(text), text);
      if (block.test(text)) assert.equal(parseCidr(text, true)!.prefix, Number(prefix), text);
      if (address.test(ip!)) assert.equal(parseIpv4(ip!), ip!.split('.').reduce((v, o) => v * 256 + Number(o), 0), ip);
    }
  });

  test('containment and overlap on hand-picked blocks', () => {
    const c = (t: string) => parseCidr(t)!;
    assert.equal(cidrContains(c('10.0.0.0/8'), parseIpv4('10.255.0.1')!), true);
    assert.equal(cidrContains(c('10.0.0.0/8'), parseIpv4('11.0.0.0')!), false);
    assert.equal(cidrContains(c('0.0.0.0/0'), parseIpv4('255.255.255.255')!), true);
    assert.equal(cidrContains(c('128.0.0.0/1'), parseIpv4('200.0.0.1')!), true);
    assert.equal(cidrsOverlap(c('100.64.0.0/10'), c('100.64.1.0/24')), true);
    assert.equal(cidrsOverlap(c('100.64.1.0/24'), c('100.64.0.0/10')), true);
    assert.equal(cidrsOverlap(c('100.64.0.0/10'), c('100.128.0.0/10')), false);
    assert.equal(cidrsOverlap(c('192.168.0.0/24'), c('192.168.1.0/24')), false);
    assert.equal(cidrsOverlap(c('0.0.0.0/0'), c('255.255.255.255/32')), true);
  });

  // The model: an address as a 32-character bit string; a block is a prefix of such a string.
  const bits = (n: number) => n.toString(2).padStart(32, '0');
  const modelContains = (b: Cidr, a: number) => bits(a).startsWith(bits(b.network).slice(0, b.prefix));
  const modelOverlap = (x: Cidr, y: Cidr) => {
    const p = Math.min(x.prefix, y.prefix);
    return bits(x.network).slice(0, p) === bits(y.network).slice(0, p);
  };

  test('generated: normalisation, formatting and parsing agree with the bit-string model', () => {
    const r = rng(0xc1d2);
    for (let i = 0; i < 5000; i++) {
      const address = r.uint32();
      const prefix = r.int(0, 32);
      const text = `${formatIpv4(address)}/${prefix}`;
      const block = parseCidr(text, true)!;
      assert.equal(block.prefix, prefix);
      assert.equal(bits(block.network), bits(address).slice(0, prefix).padEnd(32, '0'), text);
      assert.equal(parseCidr(text) !== undefined, bits(address).slice(prefix) === '0'.repeat(32 - prefix), text);
      assert.deepEqual(parseCidr(formatCidr(block)), block);
    }
  });

  test('generated: containment and overlap agree with the model (near addresses made likely)', () => {
    const r = rng(0x5eed);
    for (let i = 0; i < 5000; i++) {
      const base = r.uint32();
      const near = (base ^ (r.int(0, 1) === 0 ? 1 << r.int(0, 31) : r.uint32())) >>> 0;
      const x = parseCidr(`${formatIpv4(base)}/${r.int(0, 32)}`, true)!;
      const y = parseCidr(`${formatIpv4(near)}/${r.int(0, 32)}`, true)!;
      assert.equal(cidrContains(x, near), modelContains(x, near), `${formatCidr(x)} ∋ ${formatIpv4(near)}`);
      assert.equal(cidrsOverlap(x, y), modelOverlap(x, y), `${formatCidr(x)} ∩ ${formatCidr(y)}`);
      assert.equal(cidrsOverlap(x, y), cidrsOverlap(y, x));
      assert.equal(cidrContains(x, x.network), true);
    }
  });
});
