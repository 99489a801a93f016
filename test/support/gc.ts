// A handle on the garbage collector without --expose-gc on the command line, so memory
// tests measure what is retained rather than garbage not yet collected.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Bytes of heap in use after a full collection. */
export function retainedHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
