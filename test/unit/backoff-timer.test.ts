// The pool's refill timer: one retry at a time, doubling delays, back to the shortest after reset().
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { BackoffTimer } from "../../src/backoff-timer.js";

describe("BackoffTimer", () => {
  it("doubles its delay up to the cap, keeps one retry at a time, and starts over after reset()", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const t = new BackoffTimer(100, 350);
      const fired: number[] = [];
      let now = 0;
      const advance = (ms: number): void => {
        now += ms;
        mock.timers.tick(ms);
      };
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        const start = now;
        t.schedule(() => fired.push(now - start));
        t.schedule(() => fired.push(-1)); // ignored: one is pending
        assert.equal(t.pending, true);
        while (t.pending) advance(50);
        delays.push(fired.at(-1)!);
      }
      assert.deepEqual(delays, [100, 200, 350, 350]);
      assert.ok(!fired.includes(-1));
      t.reset();
      const start = now;
      t.schedule(() => fired.push(now - start));
      while (t.pending) advance(50);
      assert.equal(fired.at(-1), 100);
      t.schedule(() => fired.push(-2));
      t.cancel();
      advance(1000);
      assert.equal(t.pending, false);
      assert.ok(!fired.includes(-2));
    } finally {
      mock.timers.reset();
    }
  });
});
