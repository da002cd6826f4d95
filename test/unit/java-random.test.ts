import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionPassword } from '../../src/util/java-random.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// Expected values printed by `new java.util.Random(id ^ 0xB3415C00L).nextBytes(new byte[16])` on OpenJDK 17.
test('session passwords match the JVM bit for bit', () => {
  assert.equal(hex(sessionPassword(1n)), '054cc74a37327db215e702e20c73f005');
  assert.equal(hex(sessionPassword(0x0100000c02e90000n)), '3d82234f8673f25be35f8e553f0eab2c');
  assert.equal(hex(sessionPassword(-5n)), 'd47144b5e45e45c49c3b7fdcd66257ba');
  assert.equal(hex(sessionPassword(123456789012345n)), '8bf4c71b6a74227de170ea4c5d4abf4c');
});

import { javaStringHash, javaHashSetCloneOrder } from '../../src/util/java-hash-order.js';

const INPUT = ['/d0/e-0000000000', '/d1/e-0000000007', '/d2/e-0000000014', '/d0/e-0000000021', '/d1/e-0000000028', '/d2/e-0000000035', '/d0/e-0000000042', '/d1/e-0000000049', '/d2/e-0000000056', '/d0/e-0000000063', '/d1/e-0000000070', '/d2/e-0000000077', '/d0/e-0000000084', '/d1/e-0000000091', '/a', '/b/a0000000000'];

// Expected values printed by OpenJDK 17: String.hashCode(), and the iteration of a clone() of a
// HashSet<String> filled with the first n inputs in order (what ZooKeeper lists in CloseSessionTxn).
test('String.hashCode and HashSet clone iteration order match the JVM', () => {
  assert.equal(javaStringHash(''), 0);
  assert.equal(javaStringHash('hello'), 99162322);
  assert.equal(javaStringHash('/zookeeper/quota'), -1414033946);
  assert.deepEqual(javaHashSetCloneOrder(INPUT.slice(0, 2)), ['/d0/e-0000000000', '/d1/e-0000000007']);
  assert.deepEqual(javaHashSetCloneOrder(INPUT.slice(0, 3)), ['/d0/e-0000000000', '/d2/e-0000000014', '/d1/e-0000000007']);
  assert.deepEqual(javaHashSetCloneOrder(INPUT.slice(0, 5)), ['/d0/e-0000000000', '/d1/e-0000000028', '/d2/e-0000000014', '/d1/e-0000000007', '/d0/e-0000000021']);
  assert.deepEqual(javaHashSetCloneOrder(INPUT), ['/b/a0000000000', '/d1/e-0000000028', '/d1/e-0000000049', '/d1/e-0000000007', '/d0/e-0000000000', '/a', '/d0/e-0000000084', '/d0/e-0000000063', '/d0/e-0000000042', '/d0/e-0000000021', '/d2/e-0000000014', '/d1/e-0000000091', '/d2/e-0000000035', '/d2/e-0000000056', '/d1/e-0000000070', '/d2/e-0000000077']);
});
