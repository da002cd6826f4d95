/**
 * How a JVM prints the values ZooKeeper's tools print, so that our dumps read exactly like
 * theirs: Long.toHexString, String.format("%#016x"), java.util.Date.toString() and the en_US
 * DateFormat styles (JDK 9+ CLDR patterns), new String(bytes, UTF_8) and Jackson's JSON quoting.
 *
 * Deliberately not here: which tool prints what (storage/format/*-dump.ts).
 * Time zones are an argument, never the process's: the shell passes the zone it wants (a JVM
 * uses its default zone). Zone abbreviations come from Intl; for UTC, and for zones whose short
 * name both ICU and the JDK know (EST, PDT…), they agree; elsewhere ICU may print "GMT+1" where
 * Java prints "CET". Pure: no clock, no I/O.
 */

/** Long.toHexString: lowercase, no padding, two's complement for negative values. */
export function javaLongHex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16);
}

/**
 * Java's `Double.toString` for finite values: always a fraction digit (`2.0`), and scientific
 * notation (`1.0E-4`, `1.5E7`) outside [10^-3, 10^7). JavaScript's shortest round-trip digits
 * equal Java's for the 4-decimal averages printed here.
 */
export function formatJavaDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/** String.format("%#016x", long): "0x" and the hex digits, zero-padded to 16 characters in all. */
export function javaHex016(value: bigint): string {
  return `0x${javaLongHex(value).padStart(14, '0')}`;
}

const REPLACEMENT = 0xfffd;
const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/**
 * new String(bytes, UTF_8) on JDK 17: well-formed UTF-8 decodes as everywhere, but malformed
 * input is replaced by U+FFFD differently from TextDecoder (WHATWG) in places, e.g. an encoded
 * surrogate (ED A0..BF xx) is one U+FFFD for all three bytes, and a sequence cut off by the end
 * of the input is one U+FFFD with the rest dropped. This follows the JDK's decoder step by step
 * (its lead-byte classes and how many bytes each malformed case consumes), and is checked
 * against TxnLogToolkit's output for binary data in the interop tests.
 */
export function javaUtf8String(bytes: Uint8Array): string {
  const units: number[] = [];
  let out = '';
  const flush = () => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  const put = (unit: number) => {
    units.push(unit);
    if (units.length >= 4096) flush();
  };
  const length = bytes.length;
  let at = 0;
  while (at < length) {
    const b1 = bytes[at++]!;
    if (b1 < 0x80) {
      put(b1);
    } else if (b1 >= 0xc2 && b1 <= 0xdf) {
      if (at < length) {
        const b2 = bytes[at]!;
        if (isContinuation(b2)) {
          at++;
          put(((b1 & 0x1f) << 6) | (b2 & 0x3f));
        } else {
          put(REPLACEMENT);
        }
        continue;
      }
      put(REPLACEMENT);
      break;
    } else if (b1 >= 0xe0 && b1 <= 0xef) {
      const overlong = (b2: number) => b1 === 0xe0 && (b2 & 0xe0) === 0x80;
      if (at + 1 < length) {
        const b2 = bytes[at]!;
        const b3 = bytes[at + 1]!;
        if (overlong(b2) || !isContinuation(b2) || !isContinuation(b3)) {
          put(REPLACEMENT);
          // The lead alone when the second byte is wrong, else the lead and the second byte.
          if (!overlong(b2) && isContinuation(b2)) at++;
        } else {
          at += 2;
          const unit = ((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
          put(unit >= 0xd800 && unit <= 0xdfff ? REPLACEMENT : unit);
        }
        continue;
      }
      if (at < length && (overlong(bytes[at]!) || !isContinuation(bytes[at]!))) {
        put(REPLACEMENT);
        continue;
      }
      put(REPLACEMENT);
      break;
    } else if (b1 >= 0xf0 && b1 <= 0xf7) {
      const badSecond = (b2: number) => (b1 === 0xf0 && (b2 < 0x90 || b2 > 0xbf)) || (b1 === 0xf4 && (b2 & 0xf0) !== 0x80) || !isContinuation(b2);
      if (at + 2 < length) {
        const b2 = bytes[at]!;
        const b3 = bytes[at + 1]!;
        const b4 = bytes[at + 2]!;
        const codePoint = ((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f);
        if (!isContinuation(b2) || !isContinuation(b3) || !isContinuation(b4) || codePoint < 0x10000 || codePoint > 0x10ffff) {
          put(REPLACEMENT);
          if (b1 > 0xf4 || badSecond(b2)) continue;
          at += isContinuation(b3) ? 2 : 1;
        } else {
          at += 3;
          put(0xd800 + ((codePoint - 0x10000) >> 10));
          put(0xdc00 + ((codePoint - 0x10000) & 0x3ff));
        }
        continue;
      }
      if (b1 > 0xf4 || (at < length && badSecond(bytes[at]!))) {
        put(REPLACEMENT);
        continue;
      }
      at++;
      put(REPLACEMENT);
      if (at < length && !isContinuation(bytes[at]!)) continue;
      break;
    } else {
      put(REPLACEMENT);
    }
  }
  flush();
  return out;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

interface ZonedTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly zoneName: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short',
      hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23', timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function zoned(epochMs: bigint, timeZone: string): ZonedTime {
  const parts = new Map(formatterFor(timeZone).formatToParts(new Date(Number(epochMs))).map((part) => [part.type, part.value]));
  const number = (type: Intl.DateTimeFormatPartTypes) => Number(parts.get(type));
  const yearOfEra = number('year');
  return {
    year: parts.get('era') === 'BC' ? 1 - yearOfEra : yearOfEra,
    month: number('month'),
    day: number('day'),
    weekday: WEEKDAYS.indexOf(parts.get('weekday') as (typeof WEEKDAYS)[number]),
    hour: number('hour') % 24,
    minute: number('minute'),
    second: number('second'),
    zoneName: parts.get('timeZoneName') ?? timeZone,
  };
}

const two = (value: number) => String(value).padStart(2, '0');

/** "h:mm:ss a": 12-hour clock, 12 for noon and midnight. */
function clock12(time: ZonedTime): string {
  return `${time.hour % 12 === 0 ? 12 : time.hour % 12}:${two(time.minute)}:${two(time.second)} ${time.hour < 12 ? 'AM' : 'PM'}`;
}

/** java.util.Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy", e.g. "Thu Jan 01 00:00:00 UTC 1970". */
export function javaDateToString(epochMs: bigint, timeZone: string): string {
  const t = zoned(epochMs, timeZone);
  return `${WEEKDAYS[t.weekday]} ${MONTHS[t.month - 1]} ${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)} ${t.zoneName} ${t.year}`;
}

/** DateFormat.getDateTimeInstance(SHORT, LONG) in en_US: "M/d/yy, h:mm:ss a z", e.g. "12/1/26, 8:08:03 PM UTC". */
export function javaShortLongDateTime(epochMs: bigint, timeZone: string): string {
  const t = zoned(epochMs, timeZone);
  return `${t.month}/${t.day}/${two(((t.year % 100) + 100) % 100)}, ${clock12(t)} ${t.zoneName}`;
}

/** DateFormat.getDateTimeInstance() (MEDIUM, MEDIUM) in en_US: "MMM d, y, h:mm:ss a", e.g. "Dec 1, 2026, 8:08:03 PM". */
export function javaMediumDateTime(epochMs: bigint, timeZone: string): string {
  const t = zoned(epochMs, timeZone);
  return `${MONTHS[t.month - 1]} ${t.day}, ${t.year}, ${clock12(t)}`;
}

/**
 * Jackson's JsonStringEncoder.quoteAsString (what SnapshotFormatter -json uses for names): '"'
 * and '\\' escaped, \b \t \f \n \r as such, other characters below U+0020 as \u00XX in
 * uppercase hex; everything else, '/' and non-ASCII included, as it is.
 */
export function jacksonQuoteAsString(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\t': out += '\\t'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      default:
        out += code < 0x20 ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : ch;
    }
  }
  return out;
}
