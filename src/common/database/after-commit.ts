import { Logger } from '@nestjs/common';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

type Callback = () => void;

const logger = new Logger('AfterCommit');
const queued = new WeakMap<QueryRunner, Callback[]>();
const listening = new WeakSet<DataSource>();

/** Runs what a transaction queued once it commits (the outermost commit), or forgets it. */
class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    if (queryRunner.isTransactionActive) {
      // A savepoint was released: the transaction around it may still roll back.
      return;
    }
    const callbacks = queued.get(queryRunner) ?? [];
    queued.delete(queryRunner);
    for (const callback of callbacks) {
      runSafely(callback);
    }
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    // A rolled-back savepoint keeps its callbacks for the outer commit: they must be harmless
    // to run for a change that did not happen (cache drops are).
    if (!queryRunner.isTransactionActive) {
      queued.delete(queryRunner);
    }
  }
}

const subscriber = new AfterCommitSubscriber();

/**
 * Runs `callback` once the transaction `manager` belongs to has committed, before
 * `transaction()` returns to its caller; never if it rolls back. Outside a transaction (no
 * manager, or one not in a transaction) it runs at once: the change is already committed.
 * Callbacks are synchronous and must not throw into the commit (errors are logged).
 */
export function afterCommit(manager: EntityManager | undefined, callback: Callback): void {
  const runner = manager?.queryRunner;
  if (!manager || !runner?.isTransactionActive) {
    runSafely(callback);
    return;
  }
  if (!listening.has(manager.dataSource)) {
    listening.add(manager.dataSource);
    manager.dataSource.subscribers.push(subscriber);
  }
  queued.set(runner, [...(queued.get(runner) ?? []), callback]);
}

function runSafely(callback: Callback): void {
  try {
    callback();
  } catch (error) {
    logger.error({ err: error }, 'an after-commit callback failed');
  }
}
