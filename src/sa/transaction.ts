// Transaction handles of aiomysql.sa: the root transaction, emulated inner ones, SAVEPOINTs and XA.
import { InterfaceError } from "../errors.js";
import type { SAConnection } from "./connection.js";

/**
 * A transaction in progress, from `SAConnection.begin()`. Only the outermost transaction's
 * `commit()` commits; `rollback()` of any transaction in the nesting rolls back the whole.
 *
 * `await using trans = await conn.begin()` rolls the transaction back when the block ends while
 * it is still active (a disposer cannot see whether the block threw): commit explicitly.
 */
export class Transaction implements AsyncDisposable {
  /** @internal */
  protected readonly conn: SAConnection;
  /** @internal The enclosing transaction, or this one when it is the outermost. */
  protected readonly parent: Transaction;
  /** @internal */
  protected active = true;

  /** @internal Made by SAConnection.begin(). */
  constructor(connection: SAConnection, parent: Transaction | null) {
    this.conn = connection;
    this.parent = parent ?? this;
  }

  /** True until this transaction is committed, rolled back or closed. */
  get isActive(): boolean {
    return this.active;
  }

  /** The SAConnection this transaction runs on. */
  get connection(): SAConnection {
    return this.conn;
  }

  /**
   * Ends this transaction: the outermost one is rolled back; an inner one is only marked
   * inactive, without affecting the enclosing transaction.
   */
  async close(): Promise<void> {
    if (!this.parent.active) return;
    if (this.parent === this) await this.rollback();
    else this.active = false;
  }

  /** Rolls back this transaction (and, for an emulated inner transaction, the enclosing one). */
  async rollback(): Promise<void> {
    if (!this.parent.active) return;
    try {
      await this.doRollback();
    } finally {
      this.active = false;
    }
  }

  /**
   * Commits this transaction: only the outermost one sends COMMIT.
   * @throws InterfaceError when the transaction is no longer active.
   */
  async commit(): Promise<void> {
    if (!this.parent.active) throw new InterfaceError("This transaction is inactive");
    try {
      await this.doCommit();
    } finally {
      this.active = false;
    }
  }

  /** @internal */
  protected async doRollback(): Promise<void> {
    await this.parent.rollback();
  }

  /** @internal */
  protected async doCommit(): Promise<void> {}

  /** Rolls the transaction back if it is still active. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.active) await this.rollback();
  }
}

/** @internal The outermost transaction of a connection: BEGIN, COMMIT, ROLLBACK. */
export class RootTransaction extends Transaction {
  constructor(connection: SAConnection) {
    super(connection, null);
  }

  protected override async doRollback(): Promise<void> {
    await this.conn.rollbackImpl();
  }

  protected override async doCommit(): Promise<void> {
    await this.conn.commitImpl();
  }
}

/**
 * A SAVEPOINT inside the enclosing transaction, from `SAConnection.beginNested()`: `commit()`
 * releases the savepoint, `rollback()` rolls back to it. The outermost transaction still
 * decides whether the whole commits.
 */
export class NestedTransaction extends Transaction {
  /** @internal The savepoint's name. */
  savepoint: string | null = null;

  /** @internal */
  constructor(connection: SAConnection, parent: Transaction) {
    super(connection, parent);
  }

  protected override async doRollback(): Promise<void> {
    if (this.active) await this.conn.rollbackToSavepointImpl(this.savepoint!, this.parent);
  }

  protected override async doCommit(): Promise<void> {
    if (this.active) await this.conn.releaseSavepointImpl(this.savepoint!, this.parent);
  }

  override async rollback(): Promise<void> {
    if (!this.active) return;
    await super.rollback();
  }

  // commit() is Transaction's: a second commit() while the enclosing transaction is still
  // active releases nothing and is a no-op, as in aiomysql; it throws once that one has ended.
}

/**
 * An XA (two-phase) transaction, from `SAConnection.beginTwophase()`: `prepare()` runs XA END and
 * XA PREPARE; `commit()` / `rollback()` run XA COMMIT / XA ROLLBACK (ending it first if needed).
 */
export class TwoPhaseTransaction extends Transaction {
  private readonly xidValue: string;
  private prepared = false;

  /** @internal */
  constructor(connection: SAConnection, xid: string) {
    super(connection, null);
    this.xidValue = xid;
  }

  /** The transaction id. */
  get xid(): string {
    return this.xidValue;
  }

  /** True once prepare() succeeded. */
  get isPrepared(): boolean {
    return this.prepared;
  }

  /**
   * Prepares the transaction (XA END, XA PREPARE); it can then be committed, also from another
   * connection with `commitPrepared(xid)`.
   * @throws InterfaceError when the transaction is no longer active.
   */
  async prepare(): Promise<void> {
    if (!this.active) throw new InterfaceError("This transaction is inactive");
    if (this.prepared) throw new InterfaceError("This transaction is already prepared");
    await this.conn.prepareTwophaseImpl(this.xidValue);
    this.prepared = true;
  }

  /** @internal Marks the transaction ended by commitPrepared()/rollbackPrepared(). */
  markEnded(): void {
    this.active = false;
  }

  protected override async doRollback(): Promise<void> {
    await this.conn.rollbackPrepared(this.xidValue, { isPrepared: this.prepared });
  }

  protected override async doCommit(): Promise<void> {
    await this.conn.commitPrepared(this.xidValue, { isPrepared: this.prepared });
  }
}
