import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PollingDrainer } from './polling-drainer.js';

const COOLDOWN_MS = 400;

/** A drainer whose batches move `moves()` rows each and record when they ran. */
function drainerOf(moves: () => number, cooldownMs: number) {
  const rounds: number[] = [];
  const drainer = new PollingDrainer({
    batch: () => {
      rounds.push(Date.now());
      return Promise.resolve(moves());
    },
    batchSize: 100,
    pollMs: 60_000,
    nudgeMs: 10,
    cooldownMs,
    logger: new Logger('test'),
    name: 'test drainer',
  });
  return { drainer, rounds };
}

async function untilRounds(rounds: number[], count: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (rounds.length < count && Date.now() < deadline) {
    await sleep(5);
  }
  expect(rounds).toHaveLength(count);
}

describe('PollingDrainer', () => {
  it('should run a round soon after a nudge even while nudges keep coming', async () => {
    const { drainer, rounds } = drainerOf(() => 0, 0);
    drainer.start();
    await untilRounds(rounds, 1);
    const nudgedAt = Date.now();
    // A nudge every 2 ms for 400 ms: a debounce would run no round before they stop.
    while (Date.now() - nudgedAt < 400) {
      drainer.nudge();
      await sleep(2);
    }
    await drainer.stop();
    expect(rounds.length).toBeGreaterThan(1);
    expect((rounds[1] ?? Infinity) - nudgedAt).toBeLessThan(200);
  });

  it('should wait the cooldown after a round that moved rows, and not after an empty one', async () => {
    let pending = 1;
    const { drainer, rounds } = drainerOf(() => {
      const moved = pending;
      pending = 0;
      return moved;
    }, COOLDOWN_MS);
    drainer.start();
    await untilRounds(rounds, 1);
    // The first round moved a row: the nudge's round waits out the cooldown, and moves one.
    pending = 1;
    drainer.nudge();
    await untilRounds(rounds, 2);
    expect((rounds[1] ?? 0) - (rounds[0] ?? 0)).toBeGreaterThanOrEqual(COOLDOWN_MS - 10);
    // So the next nudge waits again; its round moves none.
    drainer.nudge();
    await untilRounds(rounds, 3);
    expect((rounds[2] ?? 0) - (rounds[1] ?? 0)).toBeGreaterThanOrEqual(COOLDOWN_MS - 10);
    // After an empty round a nudge is served at once.
    const nudgedAt = Date.now();
    drainer.nudge();
    await untilRounds(rounds, 4);
    await drainer.stop();
    expect((rounds[3] ?? Infinity) - nudgedAt).toBeLessThan(COOLDOWN_MS / 2);
  });
});
