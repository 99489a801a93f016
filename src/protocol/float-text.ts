// DOUBLE and FLOAT values as the text protocol sends them, read straight from the packet bytes.

// Buffer#latin1Slice skips toString's argument checks; the typings do not declare it.
type Slice = (this: Buffer, start: number, end: number) => string;
const latin1SliceImpl: Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString("latin1", start, end);
  };

/** Parses FLOAT/DOUBLE text from `buf[start, end)` (correctly rounded, as `Number()` does). */
export function parseFloatAscii(buf: Buffer, start: number, end: number): number {
  // Fast path, without a string: [-]digits[.digits] with at most 15 digits. Then the digits
  // make an integer m < 2^53 and the point a power of ten 10^f <= 10^15, both exact doubles, so
  // m / 10^f is the correctly rounded value of the text, as Number() gives it (IEEE division is
  // correctly rounded). Anything else (more digits, an exponent) goes through Number().
  let i = start;
  const neg = i < end && buf[i] === 45;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let point = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0) {
      point = digits;
    } else {
      digits = 16; // not plain decimal text
      break;
    }
  }
  if (digits === 0 || digits > 15) return Number(latin1SliceImpl.call(buf, start, end));
  const v = point < 0 ? m : m / POW10[digits - point]!;
  return neg ? -v : v;
}

/** 10^0 .. 10^15, all exact doubles. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
