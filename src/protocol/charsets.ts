// MySQL character sets: encoding SQL text for the wire and decoding column text.
//
// Collation ids are those of information_schema.COLLATIONS in MySQL 8.x and MariaDB 10.x/11.x.
// The East-Asian charsets are table-driven: their tables are derived once, lazily, from Node's
// TextDecoder for the closest code page, restricted to the byte sequences the server's lexer
// itself treats as one multibyte character (MySQL's ctype-*.c lead/trail byte ranges). That
// restriction is what makes escaping safe: every character we emit is lexed by the server as
// exactly one character, so a trail byte of 0x5C (`\`) or 0x27 (`'`) can never be taken apart.
import { DataError, InterfaceError } from "../errors.js";

/** A MySQL character set: how SQL text is encoded on the wire and how column text is decoded. */
export interface Charset {
  /** MySQL's name of the charset, such as `utf8mb4`. */
  readonly name: string;
  /** The id of the charset's default collation, sent in the handshake. */
  readonly collationId: number;
  /** The longest byte sequence of one character (`mbmaxlen`). */
  readonly maxBytesPerChar: number;
  /**
   * Encodes a string.
   * @throws DataError naming the first character that the charset cannot represent; nothing is
   * ever replaced by `?` silently.
   */
  encode(s: string): Buffer;
  /** Decodes `buf[start, end)`. */
  decode(buf: Buffer, start: number, end: number): string;
  /** True for utf8mb4 and utf8mb3, whose text is plain UTF-8 (the fast path). */
  readonly isUtf8: boolean;
}

// ---------------------------------------------------------------------------------------------
// Fast byte slices (see converters.ts): Buffer#utf8Slice / #latin1Slice skip argument checks.

type Slice = (this: Buffer, start: number, end: number) => string;
const bufferProto = Buffer.prototype as unknown as { utf8Slice?: Slice; latin1Slice?: Slice };
const utf8Slice: Slice =
  typeof bufferProto.utf8Slice === "function"
    ? bufferProto.utf8Slice
    : function (this: Buffer, start: number, end: number): string {
        return this.toString("utf8", start, end);
      };
const latin1Slice: Slice =
  typeof bufferProto.latin1Slice === "function"
    ? bufferProto.latin1Slice
    : function (this: Buffer, start: number, end: number): string {
        return this.toString("latin1", start, end);
      };

function unencodable(s: string, index: number, charset: string): DataError {
  const cp = s.codePointAt(index) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  const lone = cp >= 0xd800 && cp <= 0xdfff;
  const shown = lone ? "an unpaired surrogate" : `"${String.fromCodePoint(cp)}"`;
  return new DataError(`Cannot encode character ${shown} (U+${hex}) at index ${index} in the ${charset} charset`);
}

// ---------------------------------------------------------------------------------------------
// UTF-8

/** An unpaired UTF-16 surrogate: UTF-8 has no encoding for it (Node would write U+FFFD). */
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Index of the first unpaired surrogate in `s`, or -1. */
export function loneSurrogateIndex(s: string): number {
  return s.search(LONE_SURROGATE_RE);
}

const utf8mb4: Charset = {
  name: "utf8mb4",
  collationId: 45,
  maxBytesPerChar: 4,
  isUtf8: true,
  encode(s) {
    const i = s.search(LONE_SURROGATE_RE);
    if (i !== -1) throw unencodable(s, i, "utf8mb4");
    return Buffer.from(s, "utf8");
  },
  decode: (buf, start, end) => utf8Slice.call(buf, start, end),
};

const SURROGATE_RE = /[\ud800-\udfff]/;

const utf8mb3: Charset = {
  name: "utf8mb3",
  collationId: 33,
  maxBytesPerChar: 3,
  isUtf8: true,
  encode(s) {
    // utf8mb3 stores only the Basic Multilingual Plane: characters above U+FFFF (emoji...) and
    // unpaired surrogates have no encoding.
    const i = s.search(SURROGATE_RE);
    if (i !== -1) throw unencodable(s, i, "utf8mb3");
    return Buffer.from(s, "utf8");
  },
  decode: (buf, start, end) => utf8Slice.call(buf, start, end),
};

// ---------------------------------------------------------------------------------------------
// latin1: MySQL's latin1 is Windows-1252, with the five bytes that cp1252 leaves undefined
// (0x81, 0x8D, 0x8F, 0x90, 0x9D) mapped to the same C1 code points. Node 20's
// TextDecoder("windows-1252") decodes 0x80-0x9F as ISO-8859-1, so the table is spelled out.

const CP1252_80_9F = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
/** Unicode code unit → byte, for the 32 characters of 0x80-0x9F (built once). */
const CP1252_REVERSE = new Map<number, number>(CP1252_80_9F.map((c, i) => [c, 0x80 + i]));
const LATIN1_IDENTITY_RE = /^[\x00-\x7f\xa0-\xff]*$/;

const latin1: Charset = {
  name: "latin1",
  collationId: 8,
  maxBytesPerChar: 1,
  isUtf8: false,
  encode(s) {
    if (LATIN1_IDENTITY_RE.test(s)) return Buffer.from(s, "latin1");
    const out = Buffer.allocUnsafe(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) {
        out[i] = c;
      } else {
        const b = CP1252_REVERSE.get(c);
        if (b === undefined) throw unencodable(s, i, "latin1");
        out[i] = b;
      }
    }
    return out;
  },
  decode(buf, start, end) {
    let i = start;
    while (i < end && (buf[i]! < 0x80 || buf[i]! >= 0xa0)) i++;
    if (i === end) return latin1Slice.call(buf, start, end);
    // Some byte in 0x80-0x9F: write UTF-16LE code units, one per byte.
    const out = Buffer.allocUnsafe((end - start) * 2);
    let n = out.write(latin1Slice.call(buf, start, i), 0, "utf16le");
    for (; i < end; i++) {
      const b = buf[i]!;
      const c = b >= 0x80 && b < 0xa0 ? CP1252_80_9F[b - 0x80]! : b;
      out[n++] = c & 0xff;
      out[n++] = c >>> 8;
    }
    return out.toString("utf16le", 0, n);
  },
};

const NON_ASCII_RE = /[^\x00-\x7f]/;

const ascii: Charset = {
  name: "ascii",
  collationId: 11,
  maxBytesPerChar: 1,
  isUtf8: false,
  encode(s) {
    const i = s.search(NON_ASCII_RE);
    if (i !== -1) throw unencodable(s, i, "ascii");
    return Buffer.from(s, "latin1");
  },
  // Bytes above 0x7F cannot be stored as ascii; should the server send any, they are kept as
  // U+0080-U+00FF rather than lost.
  decode: (buf, start, end) => latin1Slice.call(buf, start, end),
};

const binary: Charset = {
  name: "binary",
  collationId: 63,
  maxBytesPerChar: 1,
  isUtf8: false,
  encode: (s) => Buffer.from(s, "utf8"),
  decode: (buf, start, end) => latin1Slice.call(buf, start, end),
};

// ---------------------------------------------------------------------------------------------
// Multibyte East-Asian charsets

interface MultibyteSpec {
  readonly name: string;
  readonly collationId: number;
  readonly maxBytesPerChar: number;
  /** WHATWG label of the TextDecoder whose tables are used. */
  readonly label: string;
  /** Whether the server's lexer reads `lead trail` as one two-byte character. */
  readonly pair: (lead: number, trail: number) => boolean;
  /** Non-ASCII bytes that are characters on their own (half-width katakana in sjis/cp932). */
  readonly singles?: readonly [number, number];
  /** ujis: 0x8F followed by two bytes 0xA1-0xFE (JIS X 0212). */
  readonly threeByte?: boolean;
  /** euckr: the Unified Hangul Code extension (CP949), which MySQL's euckr accepts. */
  readonly uhc?: boolean;
}

const inRange = (b: number, lo: number, hi: number): boolean => b >= lo && b <= hi;

// Lead/trail ranges from MySQL's strings/ctype-*.c (ismbchar_*).
const GBK_PAIR = (l: number, t: number): boolean => inRange(l, 0x81, 0xfe) && (inRange(t, 0x40, 0x7e) || inRange(t, 0x80, 0xfe));
const BIG5_PAIR = (l: number, t: number): boolean => inRange(l, 0xa1, 0xf9) && (inRange(t, 0x40, 0x7e) || inRange(t, 0xa1, 0xfe));
const SJIS_PAIR = (l: number, t: number): boolean =>
  (inRange(l, 0x81, 0x9f) || inRange(l, 0xe0, 0xfc)) && (inRange(t, 0x40, 0x7e) || inRange(t, 0x80, 0xfc));
const EUCKR_PAIR = (l: number, t: number): boolean =>
  inRange(l, 0x81, 0xfe) && (inRange(t, 0x41, 0x5a) || inRange(t, 0x61, 0x7a) || inRange(t, 0x81, 0xfe));
const UJIS_PAIR = (l: number, t: number): boolean =>
  (inRange(l, 0xa1, 0xfe) && inRange(t, 0xa1, 0xfe)) || (l === 0x8e && inRange(t, 0xa1, 0xdf));
const GB2312_PAIR = (l: number, t: number): boolean => inRange(l, 0xa1, 0xf7) && inRange(t, 0xa1, 0xfe);

/**
 * Packed byte sequences in the encode table: the length in bits 24-25, the bytes below, first
 * byte most significant. 0 means "no encoding".
 */
const LEN1 = 1 << 24;
const LEN2 = 2 << 24;
const LEN3 = 3 << 24;

interface MultibyteTables {
  /** Code point of each two-byte sequence `lead << 8 | trail`; 0xFFFD for a server pair with no mapping; 0 for non-pairs. */
  readonly dec2: Uint32Array;
  /** Code unit of each non-ASCII single byte, 0 when the byte is not a character on its own. */
  readonly dec1: Uint16Array;
  /** Code point of `0x8F b2 b3` at `(b2 - 0xA1) * 94 + (b3 - 0xA1)` (ujis only). */
  readonly dec3: Uint32Array | null;
  /** BMP code unit → packed byte sequence. */
  readonly enc: Uint32Array;
  /** Code points above U+FFFF → packed byte sequence. */
  readonly encAstral: Map<number, number>;
}

/** The single code point a decoder produced for one sequence, or -1 (nothing, several, or U+FFFD). */
function singleCodePoint(s: string): number {
  if (s.length === 0 || s.length > 2) return -1;
  const cp = s.codePointAt(0)!;
  if (cp === 0xfffd) return -1;
  return (cp > 0xffff ? 2 : 1) === s.length ? cp : -1;
}

function buildTables(spec: MultibyteSpec): MultibyteTables {
  const td = new TextDecoder(spec.label);
  const enc = new Uint32Array(0x10000);
  const encAstral = new Map<number, number>();
  const dec1 = new Uint16Array(256);
  const dec2 = new Uint32Array(0x10000);
  const setEnc = (cp: number, packed: number): void => {
    if (cp <= 0xffff) {
      // The first (shortest, then lowest) byte sequence of a character wins.
      if (enc[cp] === 0) enc[cp] = packed;
    } else if (!encAstral.has(cp)) {
      encAstral.set(cp, packed);
    }
  };
  // ASCII is ASCII in every one of these charsets on the server, whatever ICU's tables say
  // (its Shift_JIS converter swaps 0x1A, 0x1C and 0x7F).
  for (let c = 0; c < 0x80; c++) enc[c] = LEN1 | c;
  const one = new Uint8Array(1);
  if (spec.singles !== undefined) {
    for (let b = spec.singles[0]; b <= spec.singles[1]; b++) {
      one[0] = b;
      const cp = singleCodePoint(td.decode(one));
      if (cp >= 0x80 && cp <= 0xffff) {
        dec1[b] = cp;
        setEnc(cp, LEN1 | b);
      }
    }
  }
  const two = new Uint8Array(2);
  for (let lead = 0x80; lead <= 0xff; lead++) {
    two[0] = lead;
    for (let trail = 0; trail <= 0xff; trail++) {
      if (!spec.pair(lead, trail)) continue;
      two[1] = trail;
      const cp = singleCodePoint(td.decode(two));
      const key = (lead << 8) | trail;
      if (cp < 0) {
        dec2[key] = 0xfffd;
      } else {
        dec2[key] = cp;
        setEnc(cp, LEN2 | key);
      }
    }
  }
  if (spec.uhc === true) addUhcExtension(dec2, enc);
  let dec3: Uint32Array | null = null;
  if (spec.threeByte === true) {
    dec3 = new Uint32Array(94 * 94);
    const three = new Uint8Array([0x8f, 0, 0]);
    for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
      three[1] = b2;
      for (let b3 = 0xa1; b3 <= 0xfe; b3++) {
        three[2] = b3;
        const cp = singleCodePoint(td.decode(three));
        const idx = (b2 - 0xa1) * 94 + (b3 - 0xa1);
        if (cp < 0) {
          dec3[idx] = 0xfffd;
        } else {
          dec3[idx] = cp;
          setEnc(cp, LEN3 | (0x8f << 16) | (b2 << 8) | b3);
        }
      }
    }
  }
  return { dec1, dec2, dec3, enc, encAstral };
}

/**
 * CP949's Unified Hangul Code: the 8,822 precomposed Hangul syllables missing from KS X 1001,
 * in code point order, fill leads 0x81-0xA0 (trails 0x41-0x5A, 0x61-0x7A, 0x81-0xFE) and then
 * leads 0xA1-0xC6 (trails 0x41-0x5A, 0x61-0x7A, 0x81-0xA0), ending at 0xC652. Added only when
 * the decoder's tables lack exactly those syllables (Node's ICU EUC-KR is plain KS X 1001).
 */
function addUhcExtension(dec2: Uint32Array, enc: Uint32Array): void {
  const missing: number[] = [];
  for (let cp = 0xac00; cp <= 0xd7a3; cp++) if (enc[cp] === 0) missing.push(cp);
  if (missing.length !== 8822) return;
  let k = 0;
  for (let lead = 0x81; lead <= 0xc6 && k < missing.length; lead++) {
    for (let trail = 0x41; trail <= 0xfe && k < missing.length; trail++) {
      const ok = inRange(trail, 0x41, 0x5a) || inRange(trail, 0x61, 0x7a) || inRange(trail, 0x81, lead < 0xa1 ? 0xfe : 0xa0);
      if (!ok) continue;
      const key = (lead << 8) | trail;
      const cp = missing[k++]!;
      dec2[key] = cp;
      enc[cp] = LEN2 | key;
    }
  }
}

function writePacked(out: Buffer, n: number, packed: number): number {
  const len = packed >>> 24;
  if (len === 1) {
    out[n] = packed & 0xff;
  } else if (len === 2) {
    out[n] = (packed >>> 8) & 0xff;
    out[n + 1] = packed & 0xff;
  } else {
    out[n] = (packed >>> 16) & 0xff;
    out[n + 1] = (packed >>> 8) & 0xff;
    out[n + 2] = packed & 0xff;
  }
  return n + len;
}

function multibyte(spec: MultibyteSpec): Charset {
  let tables: MultibyteTables | null = null;
  const get = (): MultibyteTables => (tables ??= buildTables(spec));
  const name = spec.name;
  const maxBytes = spec.maxBytesPerChar;
  return {
    name,
    collationId: spec.collationId,
    maxBytesPerChar: maxBytes,
    isUtf8: false,
    encode(s) {
      const first = s.search(NON_ASCII_RE);
      if (first === -1) return Buffer.from(s, "latin1");
      const { enc, encAstral } = get();
      const out = Buffer.allocUnsafe(s.length * maxBytes);
      let n = out.write(s.slice(0, first), 0, "latin1");
      for (let i = first; i < s.length; i++) {
        let cp = s.charCodeAt(i);
        let packed: number;
        if (cp < 0x80) {
          out[n++] = cp;
          continue;
        }
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
          const lo = s.charCodeAt(i + 1);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            packed = encAstral.get(cp) ?? 0;
            if (packed === 0) throw unencodable(s, i, name);
            n = writePacked(out, n, packed);
            i++;
            continue;
          }
        }
        packed = enc[cp]!;
        if (packed === 0) throw unencodable(s, i, name);
        n = writePacked(out, n, packed);
      }
      return out.subarray(0, n);
    },
    decode(buf, start, end) {
      let i = start;
      while (i < end && buf[i]! < 0x80) i++;
      if (i === end) return latin1Slice.call(buf, start, end);
      const { dec1, dec2, dec3 } = get();
      // UTF-16LE output: never more code units than input bytes.
      const out = Buffer.allocUnsafe((end - start) * 2);
      let n = out.write(latin1Slice.call(buf, start, i), 0, "utf16le");
      while (i < end) {
        const b = buf[i]!;
        let cp: number;
        if (b < 0x80) {
          cp = b;
          i++;
        } else if (i + 1 < end && (cp = dec2[(b << 8) | buf[i + 1]!]!) !== 0) {
          i += 2;
        } else if (b === 0x8f && dec3 !== null && i + 2 < end && inRange(buf[i + 1]!, 0xa1, 0xfe) && inRange(buf[i + 2]!, 0xa1, 0xfe)) {
          cp = dec3[(buf[i + 1]! - 0xa1) * 94 + (buf[i + 2]! - 0xa1)]!;
          i += 3;
        } else {
          cp = dec1[b]! || 0xfffd;
          i++;
        }
        if (cp > 0xffff) {
          const v = cp - 0x10000;
          const hi = 0xd800 + (v >>> 10);
          const lo = 0xdc00 + (v & 0x3ff);
          out[n++] = hi & 0xff;
          out[n++] = hi >>> 8;
          out[n++] = lo & 0xff;
          out[n++] = lo >>> 8;
        } else {
          out[n++] = cp & 0xff;
          out[n++] = cp >>> 8;
        }
      }
      return out.toString("utf16le", 0, n);
    },
  };
}

const gbk = multibyte({ name: "gbk", collationId: 28, maxBytesPerChar: 2, label: "gbk", pair: GBK_PAIR });
const big5 = multibyte({ name: "big5", collationId: 1, maxBytesPerChar: 2, label: "big5", pair: BIG5_PAIR });
const sjis = multibyte({
  name: "sjis",
  collationId: 13,
  maxBytesPerChar: 2,
  label: "shift_jis",
  pair: SJIS_PAIR,
  singles: [0xa1, 0xdf],
});
const cp932 = multibyte({
  name: "cp932",
  collationId: 95,
  maxBytesPerChar: 2,
  label: "shift_jis",
  pair: SJIS_PAIR,
  singles: [0xa1, 0xdf],
});
const euckr = multibyte({ name: "euckr", collationId: 19, maxBytesPerChar: 2, label: "euc-kr", pair: EUCKR_PAIR, uhc: true });
const ujis = multibyte({ name: "ujis", collationId: 12, maxBytesPerChar: 3, label: "euc-jp", pair: UJIS_PAIR, threeByte: true });
const gb2312 = multibyte({ name: "gb2312", collationId: 24, maxBytesPerChar: 2, label: "gbk", pair: GB2312_PAIR });

// ---------------------------------------------------------------------------------------------
// Lookup

const BY_NAME = new Map<string, Charset>([
  ["utf8mb4", utf8mb4],
  ["utf8mb3", utf8mb3],
  // `utf8` is utf8mb3 in MariaDB and (deprecated) in MySQL 5.7/8.x.
  ["utf8", utf8mb3],
  ["latin1", latin1],
  ["ascii", ascii],
  ["binary", binary],
  ["gbk", gbk],
  ["big5", big5],
  ["sjis", sjis],
  ["cp932", cp932],
  ["euckr", euckr],
  ["ujis", ujis],
  ["gb2312", gb2312],
]);

/** The names `charsetByName` accepts. */
export const SUPPORTED_CHARSETS: readonly string[] = Object.freeze([...BY_NAME.keys()]);

/**
 * The charset called `name` (case-insensitive). `utf8` is an alias of `utf8mb3`, as in MariaDB.
 * @throws InterfaceError naming the charset and listing the supported ones when it is unknown.
 */
export function charsetByName(name: string): Charset {
  const cs = typeof name === "string" ? BY_NAME.get(name.toLowerCase()) : undefined;
  if (cs === undefined) {
    throw new InterfaceError(`Unsupported charset ${JSON.stringify(name)}; supported charsets: ${SUPPORTED_CHARSETS.join(", ")}`);
  }
  return cs;
}

const BY_COLLATION = new Map<number, Charset>();

function collations(cs: Charset, ...ids: (number | readonly [number, number])[]): void {
  for (const id of ids) {
    if (typeof id === "number") {
      BY_COLLATION.set(id, cs);
    } else {
      for (let i = id[0]; i <= id[1]; i++) BY_COLLATION.set(i, cs);
    }
  }
}

// MySQL 8: 255-323 are the utf8mb4 UCA 9.0.0 collations; 272, 276, 295, 299, 301 and 302 are unassigned.
// MariaDB: 576-610 are *_mysql561 variants, 1024 + id the NO PAD variants.
collations(
  utf8mb4,
  45,
  46,
  [224, 247],
  [255, 271],
  [273, 275],
  [277, 294],
  [296, 298],
  300,
  [303, 323],
  608,
  609,
  610,
  1069,
  1070,
  1248,
  1270,
);
collations(utf8mb3, 33, 76, 83, [192, 215], 223, 576, 577, 578, 1057, 1107, 1216, 1238);
collations(latin1, 5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071);
collations(ascii, 11, 65, 1035, 1089);
collations(binary, 63);
collations(gbk, 28, 87, 1052, 1111);
collations(big5, 1, 84, 1025, 1108);
collations(sjis, 13, 88, 1037, 1112);
collations(cp932, 95, 96, 1119, 1120);
collations(euckr, 19, 85, 1043, 1109);
collations(ujis, 12, 91, 1036, 1115);
collations(gb2312, 24, 86, 1048, 1110);

/**
 * The charset of a collation id, as found in the handshake and in column definitions, or
 * undefined for collations of charsets this library does not support (utf16, cp1251...).
 */
export function charsetByCollation(id: number): Charset | undefined {
  return BY_COLLATION.get(id);
}
