#!/bin/sh
# Stand-in for ping, arping and nc in tests that run the collector's commands on this machine: the
# commands target the default gateway and the inventory's API servers, and tests must not send traffic
# anywhere but loopback. Loopback targets run the real tool; anything else fails the way an unreachable
# address does, which is data for the collector like any other failure.
tool=$(basename "$0")
target=""
skip_next=0
for a in "$@"; do
  if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
  case "$tool:$a" in
    ping:-c|ping:-W|ping:-I|ping:-w|arping:-c|arping:-I|arping:-w|nc:-w) skip_next=1; continue ;;
    *:-*) continue ;;
  esac
  # nc takes the host first and the port after it; ping and arping take the address last.
  if [ "$tool" = nc ]; then [ -z "$target" ] && target=$a; else target=$a; fi
done
case "$target" in
  127.*|::1|localhost)
    self_dir=$(cd "$(dirname "$0")" && pwd)
    real_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vx "$self_dir" | paste -sd: -)
    if PATH=$real_path command -v "$tool" >/dev/null 2>&1; then PATH=$real_path exec "$tool" "$@"; fi
    # No netcat on this machine: a loopback connect test through bash answers in nc's words.
    if [ "$tool" = nc ]; then
      port=$(for a in "$@"; do :; done; echo "$a")
      if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$target" "$port" 2>/dev/null; then
        echo "Connection to $target $port port [tcp/*] succeeded!" >&2; exit 0
      fi
      echo "nc: connect to $target port $port (tcp) failed: Connection refused" >&2; exit 1
    fi
    echo "$tool: not found" >&2; exit 127 ;;
esac
echo "$tool: $target: Network is unreachable (labsnap test stand-in: tests send no traffic off this machine)" >&2
exit 2
