// Timestamp pieces shared by the log and status parsers. Hand-written scanners instead of Date.parse:
// Date.parse is lenient in engine-specific ways, and these run once per line of very large logs.

const MONTHS: Record<string, number> = {};
// Abbreviated month names as glibc's %b prints them in locales a homelab node plausibly runs with.
// Where two locales share a spelling they agree on the month, so one table serves all.
const LOCALE_MONTHS: readonly string[] = [
  'jan feb mar apr may jun jul aug sep oct nov dec', // en
  'jan feb mär apr mai jun jul aug sep okt nov dez', // de
  'janv févr mars avr mai juin juil août sept oct nov déc', // fr
  'ene feb mar abr may jun jul ago sep oct nov dic', // es
  'gen feb mar apr mag giu lug ago set ott nov dic', // it
  'jan fev mar abr mai jun jul ago set out nov dez', // pt
  'jan feb mrt apr mei jun jul aug sep okt nov dec', // nl
  'янв фев мар апр мая июн июл авг сен окт ноя дек', // ru (genitive, as %b prints)
  'sty lut mar kwi maj cze lip sie wrz paź lis gru', // pl
];
for (const row of LOCALE_MONTHS) {
  row.split(' ').forEach((name, index) => {
    MONTHS[name] = index;
  });
}
// Russian prints the genitive for every month but May, whose nominative some glibc versions use.
MONTHS['май'] = 4;

/** 0-based month of a localized abbreviated month name (`Nov`, `nov.`, `11月`, `11월`), or -1. */
export function monthIndex(token: string): number {
  const last = token.charCodeAt(token.length - 1);
  // CJK locales print the month number followed by 月 (ja, zh) or 월 (ko).
  if (last === 0x6708 || last === 0xc6d4) {
    const n = Number(token.slice(0, -1));
    return Number.isInteger(n) && n >= 1 && n <= 12 ? n - 1 : -1;
  }
  let name = token.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  return MONTHS[name] ?? -1;
}

function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Parses `HH:MM:SS` with an optional `.fraction` at `start`; returns ms of day and the end index, or null. */
export function parseClock(s: string, start: number): { ms: number; end: number } | null {
  const h = digits(s, start, 2);
  const m = digits(s, start + 3, 2);
  const sec = digits(s, start + 6, 2);
  if (h < 0 || m < 0 || sec < 0 || s[start + 2] !== ':' || s[start + 5] !== ':') return null;
  if (h > 23 || m > 59 || sec > 60) return null;
  let end = start + 8;
  let fractionMs = 0;
  if (s[end] === '.' || s[end] === ',') {
    let scale = 100;
    end++;
    const fracStart = end;
    while (end < s.length) {
      const c = s.charCodeAt(end) - 48;
      if (c < 0 || c > 9) break;
      fractionMs += c * scale;
      scale /= 10;
      end++;
    }
    if (end === fracStart) return null;
  }
  return { ms: ((h * 60 + m) * 60 + sec) * 1000 + Math.floor(fractionMs), end };
}

/** Parses an RFC 3339 / ISO 8601 timestamp with any fraction length (containerd prints nanoseconds) and a
 * `Z`, `±HH:MM`, `±HHMM` or `±HH` zone (journald's short-iso prints `+0900`). Returns epoch ms and end index. */
export function parseIsoPrefix(s: string, start = 0): { ms: number; end: number } | null {
  const y = digits(s, start, 4);
  const mo = digits(s, start + 5, 2);
  const d = digits(s, start + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || s[start + 4] !== '-' || s[start + 7] !== '-') return null;
  const sep = s[start + 10];
  if (sep !== 'T' && sep !== ' ') return null;
  const clock = parseClock(s, start + 11);
  if (!clock) return null;
  let end = clock.end;
  let offsetMin = 0;
  const z = s[end];
  if (z === 'Z' || z === 'z') end++;
  else if (z === '+' || z === '-') {
    const oh = digits(s, end + 1, 2);
    if (oh < 0) return null;
    let om = 0;
    let zoneEnd = end + 3;
    if (s[zoneEnd] === ':') {
      om = digits(s, zoneEnd + 1, 2);
      zoneEnd += 3;
    } else if (digits(s, zoneEnd, 2) >= 0) {
      om = digits(s, zoneEnd, 2);
      zoneEnd += 2;
    }
    if (om < 0) return null;
    offsetMin = (z === '+' ? 1 : -1) * (oh * 60 + om);
    end = zoneEnd;
  } else return null;
  const ms = Date.UTC(y, mo - 1, d) + clock.ms - offsetMin * 60_000;
  return { ms, end };
}

// Zone abbreviations systemd and Go print; an unknown abbreviation leaves the time unknown rather than guessed.
const ZONE_OFFSETS_MIN: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60, MEST: 120,
  EET: 120, EEST: 180, MSK: 180, JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, ACDT: 630,
  AEST: 600, AEDT: 660, NZST: 720, NZDT: 780, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420,
  MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600,
};

/** Offset in minutes of a zone written as an abbreviation (`JST`) or numerically (`+0900`, `+09:00`). */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const known = ZONE_OFFSETS_MIN[zone.toUpperCase()];
  if (known !== undefined) return known;
  const sign = zone[0];
  if (sign !== '+' && sign !== '-') return undefined;
  const body = zone.slice(1).replace(':', '');
  if (body.length !== 4 && body.length !== 2) return undefined;
  const h = digits(body, 0, 2);
  const m = body.length === 4 ? digits(body, 2, 2) : 0;
  if (h < 0 || m < 0) return undefined;
  return (sign === '+' ? 1 : -1) * (h * 60 + m);
}

// Tolerance before a yearless date counts as "in the future": collection time and log clocks can disagree
// by a zone offset (up to 14 h) when the log's zone is unknown.
const FUTURE_SLACK_MS = 36 * 3600_000;

/** Epoch ms of a yearless local time (journald `short`, klog), choosing the latest year that does not put it
 * after the collection: a December line in a January collection belongs to the previous year. */
export function yearlessToEpoch(
  month: number,
  day: number,
  msOfDay: number,
  collectedAt: Date,
  utcOffsetMinutes = 0,
): number {
  const limit = collectedAt.getTime() + FUTURE_SLACK_MS;
  let year = collectedAt.getUTCFullYear();
  let ms = Date.UTC(year, month, day) + msOfDay - utcOffsetMinutes * 60_000;
  if (ms > limit) {
    year -= 1;
    ms = Date.UTC(year, month, day) + msOfDay - utcOffsetMinutes * 60_000;
  }
  return ms;
}

export function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `Nov 27, 2026 10:00 UTC` (kubeadm) and `Fri, 27 Nov 2026 10:00:00 +0900` (kubectl, RFC 1123Z) and
 * `Nov 27 10:00:00 2026 GMT` (OpenSSL/Node X509) → ISO, or null when the zone or shape is unknown. */
export function parseWordyDate(text: string): string | null {
  const tokens = text.replace(/,/g, ' ').trim().split(/\s+/);
  let month = -1;
  let day = -1;
  let year = -1;
  let msOfDay = -1;
  let offset: number | undefined = 0;
  for (const token of tokens) {
    if (token.includes(':') && msOfDay < 0) {
      const padded = token.length === 5 ? `${token}:00` : token.length === 7 ? `0${token}` : token;
      const clock = parseClock(padded, 0);
      if (clock && clock.end === padded.length) {
        msOfDay = clock.ms;
        continue;
      }
    }
    if (/^\d{4}$/.test(token)) year = Number(token);
    else if (/^\d{1,2}$/.test(token)) day = Number(token);
    else if (monthIndex(token) >= 0 && month < 0) month = monthIndex(token);
    else if (/^[+-]\d{2}:?\d{2}$/.test(token) || /^[A-Z]{1,5}$/.test(token)) offset = zoneOffsetMinutes(token);
  }
  if (month < 0 || day < 1 || year < 0 || msOfDay < 0 || offset === undefined) return null;
  return isoOrNull(Date.UTC(year, month, day) + msOfDay - offset * 60_000);
}
