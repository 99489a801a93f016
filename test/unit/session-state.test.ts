import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLIENT } from "../../src/protocol/constants.js";
import { MalformedPacketError, PacketReader } from "../../src/protocol/reader.js";
import { parseEndOfRows, parseOk } from "../../src/protocol/results.js";
import { parseSessionState } from "../../src/protocol/session-state.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const TRACK = CLIENT.PROTOCOL_41 | CLIENT.SESSION_TRACK;

// OK after an INSERT on MariaDB with session_track_system_variables=last_gtid:
// affected 1, insert id 7, status AUTOCOMMIT|SESSION_STATE_CHANGED, info "",
// state: SYSTEM_VARIABLES(last_gtid = "0-1-5").
const MARIADB_OK = hex("00 01 07 0240 0000 00 12 00 10 09 6c6173745f67746964 05 302d312d35");

// OK on MySQL with every tracker on: info "Rows matched", then SCHEMA "test", STATE_CHANGE "1",
// GTIDS (encoding 0) "3e11fa47-...:1-5", an unknown type 0x7f with 3 bytes, TRANSACTION_STATE
// "T_____W_", TRANSACTION_CHARACTERISTICS "START TRANSACTION READ ONLY;".
const MYSQL_OK = hex(
  "00 00 00 0340 0100 0c 526f7773206d617463686564 66" +
    "01 05 04 74657374" +
    "02 02 01 31" +
    "03 2a 00 28 33653131666134372d373163612d313165312d396533332d6338306161393432393536323a312d35" +
    "7f 03 010203" +
    "05 09 08 545f5f5f5f5f575f" +
    "04 1d 1c 5354415254205452414e53414354494f4e2052454144204f4e4c593b",
);

describe("session state (CLIENT_SESSION_TRACK)", () => {
  it("reads MariaDB's last_gtid from a system variable entry", () => {
    const ok = parseOk(MARIADB_OK, TRACK);
    assert.equal(ok.affectedRows, 1);
    assert.equal(ok.lastInsertId, 7);
    assert.equal(ok.info, "");
    assert.deepEqual([...(ok.sessionState?.systemVariables ?? [])], [["last_gtid", "0-1-5"]]);
  });

  it("reads every known entry type and skips an unknown one by its length", () => {
    const ok = parseOk(MYSQL_OK, TRACK);
    assert.equal(ok.info, "Rows matched");
    assert.equal(ok.warnings, 1);
    const s = ok.sessionState;
    assert.ok(s);
    assert.equal(s.schema, "test");
    assert.equal(s.stateChanged, true);
    assert.equal(s.gtids, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
    assert.equal(s.transactionState, "T_____W_");
    assert.equal(s.transactionCharacteristics, "START TRANSACTION READ ONLY;");
    assert.equal(s.systemVariables.size, 0);
  });

  it("reads several variables in one entry list, in order", () => {
    const entries = hex("00 0e 0a 6175746f636f6d6d6974 02 4f4e" + "00 10 09 6c6173745f67746964 05 302d312d39");
    const s = parseSessionState(new PacketReader(Buffer.concat([Buffer.from([entries.length]), entries])));
    assert.deepEqual(
      [...s.systemVariables],
      [
        ["autocommit", "ON"],
        ["last_gtid", "0-1-9"],
      ],
    );
  });

  it("ignores the state without SERVER_SESSION_STATE_CHANGED, and without the capability", () => {
    const flagOff = Buffer.from(MARIADB_OK);
    flagOff.writeUInt16LE(0x0002, 3);
    assert.equal(parseOk(flagOff, TRACK).sessionState, undefined);
    // Without CLIENT_SESSION_TRACK the rest of the packet is the info string<EOF>.
    const plain = hex("00 00 00 0200 0000 6869");
    const ok = parseOk(plain, CLIENT.PROTOCOL_41);
    assert.equal(ok.info, "hi");
    assert.equal(ok.sessionState, undefined);
  });

  it("parses the state of an OK that ends a result set under CLIENT_DEPRECATE_EOF", () => {
    const end = Buffer.from(MARIADB_OK);
    end[0] = 0xfe;
    const ok = parseEndOfRows(end, TRACK | CLIENT.DEPRECATE_EOF);
    assert.equal(ok.sessionState?.systemVariables.get("last_gtid"), "0-1-5");
  });

  it("rejects an entry that overruns the state's length", () => {
    const bad = Buffer.from(MARIADB_OK);
    bad[10] = 0x11; // the entry claims 17 bytes where 16 remain
    assert.throws(() => parseOk(bad, TRACK), MalformedPacketError);
  });
});
