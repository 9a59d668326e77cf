// Address arithmetic the CNI, MetalLB and ARP rules rely on (ipaddr.js underneath).
import { expect, it } from 'vitest';
import { formatIp, parseCidr, parseIp, parseRange } from '../../analyzer/model/network.js';
it('parses strict IPv4, IPv6 with zones and mapped forms, CIDRs and MetalLB ranges', () => {
  expect(parseIp('192.168.10.1')).toEqual({ family: 4, value: 3232238081n });
  expect(parseIp('0x7f.1')).toBeUndefined();
  expect(parseIp('256.1.1.1')).toBeUndefined();
  expect(parseIp('fe80::1%eth0')?.family).toBe(6);
  expect(formatIp(6, parseIp('2001:db8:0:0:0:0:0:1')!.value)).toBe('2001:db8::1');
  expect(formatIp(4, parseIp('10.0.0.5')!.value)).toBe('10.0.0.5');
  expect(parseIp('::ffff:192.168.10.1')?.family).toBe(6);
  expect(parseCidr('10.244.0.0/16')?.last).toBe(parseIp('10.244.255.255')!.value);
  expect(parseRange('192.168.10.240 - 192.168.10.250')?.first).toBe(parseIp('192.168.10.240')!.value);
});
