/**
 * Conversions between float32 values and IEEE 754 half-precision (float16) bit patterns, for
 * weights stored as float16. Node 20 has neither `Float16Array` nor `Math.f16round`.
 */

const FLOAT32 = new Float32Array(1);
const FLOAT32_BITS = new Uint32Array(FLOAT32.buffer);

/**
 * Converts `value` to the bits of the nearest float16, rounding ties to even. Values beyond
 * the float16 range (±65,504) become infinities, and NaN stays NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  FLOAT32[0] = value;
  const bits = FLOAT32_BITS[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) {
    return sign | 0x7c00;
  }
  if (halfExponent <= 0) {
    // A float16 subnormal counts units of 2^-24. Below half of one unit the value is zero.
    if (halfExponent < -10) return sign;
    const shift = 14 - halfExponent;
    return sign | roundShifted(mantissa | 0x800000, shift);
  }
  // A carry out of the mantissa raises the exponent, and from the largest one gives infinity.
  return sign | ((halfExponent << 10) + roundShifted(mantissa, 13));
}

/** Returns `value >> shift` rounded to the nearest integer, ties to even. */
function roundShifted(value: number, shift: number): number {
  const kept = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return remainder > halfway || (remainder === halfway && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Converts the bits of a float16 to its value. */
export function float16BitsToFloat32(bits: number): number {
  const sign = (bits & 0x8000) === 0 ? 1 : -1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Converts every value to float16 bits. */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  return Uint16Array.from(values, float32ToFloat16Bits);
}

/** Rounds every value to the nearest float16, keeping float32 storage. */
export function roundToFloat16(values: Float32Array): Float32Array {
  return Float32Array.from(values, (value) => float16BitsToFloat32(float32ToFloat16Bits(value)));
}
