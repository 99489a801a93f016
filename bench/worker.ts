// A benchmark worker: one child process per driver, holding that driver's code only, so that
// `process.cpuUsage()` around a measured phase counts that driver's work alone (no other
// driver's garbage, timers or sockets in the same process). The runner sends one workload at a
// time over IPC and interleaves the drivers round by round; the worker stays up for the whole
// run, so its JIT is warm as in a long-lived application.
//
//   fork(build/bench/worker.js, [driver])   (BENCH_CONFIG: the server, as JSON)
//   runner -> worker: { id, sizes }     worker -> runner: { measurement } or { error }
import { allDrivers, type ServerConfig } from "./drivers.js";
import { growthWorkloads } from "./growth.js";
import { WORKLOADS, type Measurement, type Sizes } from "./workloads.js";

/** A request from the runner. */
export interface WorkerRequest {
  id: string;
  sizes: Sizes;
}

/** The worker's answer to one request. */
export type WorkerReply = { measurement: Measurement } | { error: string };

const name = process.argv[2];
const cfg = JSON.parse(process.env.BENCH_CONFIG ?? "{}") as ServerConfig;
const driver = allDrivers(cfg).find((d) => d.name === name);
if (driver === undefined || process.send === undefined) {
  process.stderr.write("usage: fork bench/worker.js <driver> with an IPC channel\n");
  process.exit(2);
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  const w = [...WORKLOADS, ...growthWorkloads(req.sizes)].find((x) => x.id === req.id);
  if (w === undefined) return { error: `unknown workload ${req.id}` };
  try {
    return { measurement: await w.run(driver!, req.sizes, cfg) };
  } catch (e) {
    return { error: `${req.id} ${name}: ${(e as Error).stack ?? String(e)}` };
  }
}

process.on("message", (req: WorkerRequest) => {
  void handle(req).then((reply) => process.send!(reply));
});
// The runner closes the channel when it is done: leave then.
process.on("disconnect", () => process.exit(0));
