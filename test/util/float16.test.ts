import { describe, expect, it } from 'vitest';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  roundToFloat16,
  toFloat16Bits,
} from '../../src/util/float16.js';

describe('float32ToFloat16Bits', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [1 / 3, 0x3555],
    [65504, 0x7bff],
    [65519, 0x7bff],
    [65520, 0x7c00],
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000],
    [1.5 * 2 ** -25, 0x0001],
    [1e-10, 0x0000],
  ])('converts %d', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it('rounds ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10; the even neighbour is 1.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 and 1 + 2^-9; the even one is 1 + 2^-9.
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002);
  });

  it('keeps NaN', () => {
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
  });

  it('round-trips every float16 value', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToFloat32(bits);
      if (!Number.isNaN(value) && float32ToFloat16Bits(value) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('float16 arrays', () => {
  it('rounds to the nearest float16', () => {
    const values = new Float32Array([0.1, -0.05, 0.0123, 1e-8]);
    const rounded = roundToFloat16(values);
    values.forEach((value, index) => {
      expect(Math.abs((rounded[index] as number) - value)).toBeLessThanOrEqual(
        Math.max(Math.abs(value) * 2 ** -11, 2 ** -25),
      );
    });
    expect(Array.from(toFloat16Bits(rounded))).toEqual(Array.from(toFloat16Bits(values)));
  });
});
