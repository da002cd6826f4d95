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
