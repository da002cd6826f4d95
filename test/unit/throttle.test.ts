/**
 * globalOutstandingLimit's decisions (src/server/throttle.ts) on a hand-set view: who is paused
 * after a read, who is read again after answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutstandingThrottle } from '../../src/server/throttle.js';

function view(outstandingRequests: number, perConnection: Record<number, number>) {
  return { outstandingRequests, connectionOutstanding: (id: number) => perConnection[id] ?? 0 };
}

test('a read pauses its connection only over the limit and only with requests of its own unanswered', () => {
  const state = view(5, { 1: 3, 2: 0 });
  const throttle = new OutstandingThrottle(state, 5);
  assert.equal(throttle.afterRead(1), false, 'at the limit is not over it');
  state.outstandingRequests = 6;
  assert.equal(throttle.afterRead(2), false, 'nothing of its own outstanding');
  assert.equal(throttle.afterRead(1), true);
  assert.equal(throttle.isPaused(1), true);
  assert.equal(throttle.afterRead(1), false, 'already paused');
});

test('answers read a paused connection again once its requests are answered or the server is under the limit', () => {
  const perConnection: Record<number, number> = { 1: 2, 2: 2, 3: 2 };
  const state = view(10, perConnection);
  const throttle = new OutstandingThrottle(state, 5);
  for (const id of [1, 2, 3]) assert.equal(throttle.afterRead(id), true);
  assert.deepEqual(throttle.afterAnswers(), [], 'still over, all still waiting');
  perConnection[2] = 0;
  assert.deepEqual(throttle.afterAnswers(), [2], 'its own requests are all answered');
  state.outstandingRequests = 5;
  assert.deepEqual(throttle.afterAnswers(), [1, 3], 'back under the limit');
  assert.deepEqual(throttle.afterAnswers(), []);
  state.outstandingRequests = 9;
  assert.equal(throttle.afterRead(1), true);
  throttle.closed(1);
  assert.equal(throttle.isPaused(1), false);
  assert.deepEqual(throttle.afterAnswers(), [], 'a closed connection is forgotten');
});
