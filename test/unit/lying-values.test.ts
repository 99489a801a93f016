// Values that lie about their type are read through the intrinsics, never their own methods:
// a Date subclass whose getters return SQL, a Buffer whose toString('hex') or length lies, and
// objects that merely inherit from Date.prototype / Uint8Array.prototype.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escape, ProgrammingError } from "../../src/index.js";
import { formatDateTime, writeBinaryDateTime } from "../../src/converters.js";
import { writeComStmtExecute } from "../../src/protocol/binary.js";
import { PacketWriter } from "../../src/protocol/writer.js";

const INJECTION = "1' OR 1=1 -- ";

class EvilDate extends Date {
  override getFullYear(): number {
    return INJECTION as unknown as number;
  }
  override getUTCFullYear(): number {
    return INJECTION as unknown as number;
  }
  override getMonth(): number {
    return INJECTION as unknown as number;
  }
  override getTime(): number {
    return 0;
  }
  override toISOString(): string {
    return INJECTION;
  }
}

class EvilBuffer extends Uint8Array {
  override toString(): string {
    return "' OR 1=1 -- ";
  }
  override get length(): number {
    return 1;
  }
}

describe("values that lie about their type", () => {
  it("a Date subclass is written from its real time value", () => {
    const real = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    const evil = new EvilDate(real.getTime());
    assert.equal(escape(evil, { timeZone: "Z" }), "'2024-01-02 03:04:05.006'");
    assert.equal(formatDateTime(evil, "local"), formatDateTime(real, "local"));
    assert.deepEqual(writeBinaryDateTime(evil, "Z"), writeBinaryDateTime(real, "Z"));
  });

  it("a tampered Date's own properties are never called", () => {
    const d = new Date(Date.UTC(2020, 5, 6));
    Object.defineProperty(d, "getUTCFullYear", { value: () => INJECTION });
    Object.defineProperty(d, "getTime", { value: () => NaN });
    assert.equal(escape(d, { timeZone: "Z" }), "'2020-06-06 00:00:00.000'");
  });

  it("a Uint8Array subclass is written from its real bytes", () => {
    const evil = new EvilBuffer([0x41, 0x42, 0x43]);
    assert.equal(escape(evil), "X'414243'");
    const tampered = Buffer.from("hi");
    Object.defineProperty(tampered, "toString", { value: () => "' OR 1=1 -- " });
    assert.equal(escape(tampered), "X'6869'");
  });

  it("a prepared parameter's length is the real byte length", () => {
    const w = new PacketWriter();
    writeComStmtExecute(w, 1, [new EvilBuffer([1, 2, 3])], { timeZone: "Z", encode: null });
    const packet = w.finish(0)[0];
    // ... then the value: lenenc length 3 and the three bytes, at the very end.
    assert.deepEqual([...packet.subarray(packet.length - 4)], [3, 1, 2, 3]);
  });

  it("objects that only inherit the prototypes are a ProgrammingError, not a TypeError", () => {
    assert.throws(() => escape(Object.create(Date.prototype) as Date), ProgrammingError);
    assert.throws(() => escape(Object.create(Uint8Array.prototype) as Uint8Array), ProgrammingError);
    assert.throws(() => escape(Object.create(Buffer.prototype) as Buffer), ProgrammingError);
  });
});
