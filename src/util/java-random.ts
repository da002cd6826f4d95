/**
 * A bit-exact java.util.Random (48-bit linear congruential generator), because ZooKeeper derives
 * a session's password from `new Random(sessionId ^ 0xB3415C00L).nextBytes(16)`
 * (ZooKeeperServer.generatePasswd): matching it lets sessions move between zkts and Java peers.
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asIntN(64, seed) ^ MULTIPLIER) & MASK;
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextInt(): number {
    return this.next(32);
  }

  nextBytes(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      let rnd = this.nextInt();
      for (let n = Math.min(bytes.length - i, 4); n > 0; n--) {
        bytes[i++] = rnd & 0xff;
        rnd >>= 8;
      }
    }
  }
}

const SUPER_SECRET = 0xb3415c00n;

export function sessionPassword(sessionId: bigint): Uint8Array {
  const out = new Uint8Array(16);
  new JavaRandom(sessionId ^ SUPER_SECRET).nextBytes(out);
  return out;
}
