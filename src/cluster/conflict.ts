// Galera certification conflicts: a transaction that wrote rows another node's transaction
// committed first is rolled back with errno 1213, the same number (and message) as an InnoDB
// deadlock. Only the node it ran on tells them apart.
import { CertificationConflictError, OperationalError } from "../errors.js";
import { ER } from "../protocol/er.js";
import type { ClusterNode } from "./node.js";

/** @internal `err` as a CertificationConflictError when it is a 1213 from a Galera node; else `err`. */
export function certificationConflict(node: ClusterNode | undefined, err: unknown): unknown {
  if (node === undefined || node.role !== "galera") return err;
  if (!(err instanceof OperationalError) || err.errno !== ER.LOCK_DEADLOCK || err instanceof CertificationConflictError) return err;
  return new CertificationConflictError(
    `${node.name}: Galera certification conflict: a transaction committed on another node changed the same rows first, so this one was rolled back and nothing of it was committed (${err.message})`,
    { errno: err.errno, sqlState: err.sqlState, code: err.code, cause: err, ...(err.sql === undefined ? {} : { sql: err.sql }) },
  );
}
