// DATE values come back as `YYYY-MM-DD` text. A result set usually holds few distinct dates
// across many rows, so the text of each date is built once and shared (strings are immutable):
// a row then costs no string allocation for its DATE column. The cache is bounded.

const MAX_ENTRIES = 8192;
const cache = new Map<number, string>();

function digits(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : "0000".slice(0, width - s.length) + s;
}

/**
 * The text `YYYY-MM-DD` of a date whose fields are in range (year 0-9999, month 0-12, day
 * 0-31; zero fields are MySQL's zero dates). Identical to the text the server sends for it.
 */
export function dateText(y: number, mo: number, d: number): string {
  const key = (y * 13 + mo) * 32 + d;
  let s = cache.get(key);
  if (s === undefined) {
    s = `${digits(y, 4)}-${digits(mo, 2)}-${digits(d, 2)}`;
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, s);
  }
  return s;
}

/** Whether `dateText` accepts these fields. */
export function isCacheableDate(y: number, mo: number, d: number): boolean {
  return y >= 0 && y <= 9999 && mo >= 0 && mo <= 12 && d >= 0 && d <= 31;
}

/**
 * DATE text from the text protocol: `buf[start, start + 10)` when it is `DDDD-DD-DD` with
 * fields in range, else null (the caller then copies the bytes as they are).
 */
export function dateTextAscii(buf: Buffer, start: number, end: number): string | null {
  if (end - start !== 10 || buf[start + 4] !== 45 || buf[start + 7] !== 45) return null;
  const y0 = buf[start]! - 48,
    y1 = buf[start + 1]! - 48,
    y2 = buf[start + 2]! - 48,
    y3 = buf[start + 3]! - 48,
    m0 = buf[start + 5]! - 48,
    m1 = buf[start + 6]! - 48,
    d0 = buf[start + 8]! - 48,
    d1 = buf[start + 9]! - 48;
  if (y0 >>> 0 > 9 || y1 >>> 0 > 9 || y2 >>> 0 > 9 || y3 >>> 0 > 9 || m0 >>> 0 > 9 || m1 >>> 0 > 9 || d0 >>> 0 > 9 || d1 >>> 0 > 9) {
    return null;
  }
  const mo = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (mo > 12 || d > 31) return null;
  return dateText(y0 * 1000 + y1 * 100 + y2 * 10 + y3, mo, d);
}
