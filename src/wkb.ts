/**
 * MySQL's internal GEOMETRY value (a 4-byte SRID, then Well-Known Binary) read into plain
 * objects, the way mysql2 returns it: a POINT is `{ x, y }`, a LINESTRING an array of points, a
 * POLYGON an array of rings (arrays of points), and the MULTI* types and GEOMETRYCOLLECTION
 * arrays of their members.
 */
import { DataError } from "./errors.js";

/** A geometry as the `"mysql2"` value mapping returns it. */
export type Geometry = GeometryPoint | Geometry[];

/** One point of a geometry. */
export interface GeometryPoint {
  /** The X coordinate (longitude for geographic SRIDs). */
  x: number;
  /** The Y coordinate (latitude for geographic SRIDs). */
  y: number;
}

// WKB geometry type codes (OpenGIS Simple Features).
const WKB_POINT = 1;
const WKB_LINESTRING = 2;
const WKB_POLYGON = 3;
const WKB_MULTIPOINT = 4;
const WKB_MULTILINESTRING = 5;
const WKB_MULTIPOLYGON = 6;
const WKB_GEOMETRYCOLLECTION = 7;
/** Deepest nesting of collections accepted (MySQL itself nests far less). */
const MAX_DEPTH = 64;

class WkbReader {
  pos = 0;
  littleEndian = true;
  constructor(private readonly buf: Buffer) {}

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new DataError(`Malformed GEOMETRY value: ${this.buf.length} bytes end before the geometry does (at byte ${this.pos})`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.littleEndian ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.littleEndian ? this.buf.readDoubleLE(this.pos) : this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  /** A count of items of at least `minBytes` each, checked against what is left. */
  count(minBytes: number): number {
    const n = this.u32();
    this.need(n * minBytes);
    return n;
  }
  point(): GeometryPoint {
    const x = this.f64();
    return { x, y: this.f64() };
  }
  points(): GeometryPoint[] {
    const n = this.count(16);
    const out: GeometryPoint[] = [];
    for (let i = 0; i < n; i++) out.push(this.point());
    return out;
  }
  geometry(depth: number): Geometry {
    if (depth > MAX_DEPTH) throw new DataError(`Malformed GEOMETRY value: collections nested deeper than ${MAX_DEPTH}`);
    const order = this.u8();
    if (order > 1) throw new DataError(`Malformed GEOMETRY value: byte order ${order} at byte ${this.pos - 1}`);
    this.littleEndian = order === 1;
    const type = this.u32();
    switch (type) {
      case WKB_POINT:
        return this.point();
      case WKB_LINESTRING:
        return this.points();
      case WKB_POLYGON: {
        const n = this.count(4);
        const rings: Geometry[] = [];
        for (let i = 0; i < n; i++) rings.push(this.points());
        return rings;
      }
      case WKB_MULTIPOINT:
      case WKB_MULTILINESTRING:
      case WKB_MULTIPOLYGON:
      case WKB_GEOMETRYCOLLECTION: {
        // Each member is a whole WKB geometry with its own byte order and type (5 bytes at least).
        const n = this.count(5);
        const members: Geometry[] = [];
        for (let i = 0; i < n; i++) members.push(this.geometry(depth + 1));
        return members;
      }
      default:
        throw new DataError(`Malformed GEOMETRY value: unknown WKB geometry type ${type}`);
    }
  }
}

/**
 * Reads a GEOMETRY column value: 4 bytes of SRID (ignored, as mysql2 does), then WKB.
 * An empty value gives null.
 * @throws DataError when the bytes are not a complete geometry.
 */
export function parseGeometry(value: Buffer): Geometry | null {
  if (value.length === 0) return null;
  if (value.length < 4) throw new DataError(`Malformed GEOMETRY value: ${value.length} bytes, shorter than its SRID`);
  const reader = new WkbReader(value);
  reader.pos = 4;
  const g = reader.geometry(0);
  if (reader.pos !== value.length) {
    throw new DataError(`Malformed GEOMETRY value: ${value.length - reader.pos} bytes left after the geometry`);
  }
  return g;
}
