/**
 * A small seeded random source, so a benchmark run with the same seed
 * generates the same posts and the same queries on every machine.
 */

/** sfc32 (Small Fast Counter): 32-bit state words, good statistical quality, tiny and fast. */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 15; i++) this.next()
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** A new independent stream (e.g. queries apart from posts, so changing one never shifts the other). */
  fork(salt: number): Random {
    return new Random(Math.floor(this.next() * 4294967296) ^ salt)
  }

  /** `length` lower-case base32 characters: deterministic stand-ins for the app's random ids. */
  id(length = 16): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * 32)]
    return out
  }
}

/**
 * Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s
 * (Zipf's law: the shape of word frequencies in real text).
 */
export class Zipf {
  private readonly cumulative: Float64Array

  constructor(
    readonly n: number,
    readonly s = 1,
  ) {
    this.cumulative = new Float64Array(n)
    let total = 0
    for (let rank = 0; rank < n; rank++) {
      total += 1 / Math.pow(rank + 1, s)
      this.cumulative[rank] = total
    }
    for (let rank = 0; rank < n; rank++) this.cumulative[rank]! /= total
  }

  draw(random: Random): number {
    const u = random.next()
    let low = 0
    let high = this.n - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.cumulative[middle]! < u) low = middle + 1
      else high = middle
    }
    return low
  }
}
