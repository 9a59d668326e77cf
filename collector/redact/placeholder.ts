// Stable placeholders: the same secret gets the same placeholder everywhere in one bundle, so evidence
// still correlates ("the token in the join command is the one kubelet rejects"), but the value cannot be
// recovered or even confirmed by guessing, because the hash is keyed with a random per-run key that is
// never written anywhere.
import { createHmac, randomBytes } from 'node:crypto';

export const PLACEHOLDER_PREFIX = '<redacted:';

export class RedactionKey {
  private constructor(private readonly key: Buffer) {}

  static random(): RedactionKey {
    return new RedactionKey(randomBytes(32));
  }

  /** A fixed key, for tests and benchmarks that must produce the same output twice. */
  static fromBytes(key: Buffer): RedactionKey {
    return new RedactionKey(Buffer.from(key));
  }

  /** Keyed digest of `data` within one domain (placeholders, IPs, MACs and names never share digests). */
  digest(domain: string, data: string | Buffer): Buffer {
    return createHmac('sha256', this.key).update(domain).update('\0').update(data).digest();
  }

  /** `<redacted:kind:3f9a1c2e>`; `secret` is a latin1 string holding the secret's original bytes. */
  placeholder(kind: string, secret: string): string {
    return `${PLACEHOLDER_PREFIX}${kind}:${this.digest('secret', Buffer.from(secret, 'latin1')).toString('hex', 0, 4)}>`;
  }
}
