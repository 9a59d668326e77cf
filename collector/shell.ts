// Every value that reaches a remote shell from an inventory or a cluster (names, namespaces, pods,
// containers, interfaces, IPs, paths) passes through `shq` or one of the validators below. Keeping this
// in one small module makes the read-only and no-injection promises reviewable in one place.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * POSIX single-quote quoting: the result is one shell word whose value is exactly `value`. Inside single
 * quotes nothing is special, so the only character to handle is the quote itself ('\'' closes, adds an
 * escaped quote, reopens).
 */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL byte cannot be passed to a shell');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins words into a command line, quoting each one. */
export function shJoin(words: readonly string[]): string {
  return words.map(shq).join(' ');
}

// Linux allows nearly any byte in an interface name (IFNAMSIZ 16 incl. NUL); we accept the characters
// real bridges, bonds, VLANs and veths use so a name is also safe in a file name and a tcpdump argument.
const IFACE = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,14}$/;

export function isInterfaceName(name: string): boolean {
  return IFACE.test(name);
}

export function isIpAddress(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}
