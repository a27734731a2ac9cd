import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRegisters, encodeRegisters, type DataType, type Order } from '../../../runtime/devices/modbus';

const orders: Array<[Order, Order, string]> = [['BE', 'BE', 'ABCD'], ['BE', 'LE', 'CDAB'], ['LE', 'BE', 'BADC'], ['LE', 'LE', 'DCBA']];

describe('modbus register decoding', () => {
  it('decodes float32 1.5 (0x3FC00000) in all four byte/word orders', () => {
    // bytes A B C D = 3F C0 00 00
    const wire: Record<string, number[]> = { ABCD: [0x3fc0, 0x0000], CDAB: [0x0000, 0x3fc0], BADC: [0xc03f, 0x0000], DCBA: [0x0000, 0xc03f] };
    for (const [byteOrder, wordOrder, name] of orders) {
      expect(decodeRegisters(wire[name], 0, { type: 'float32', byteOrder, wordOrder }), name).toBe(1.5);
      expect(encodeRegisters(1.5, { type: 'float32', byteOrder, wordOrder }), name).toEqual(wire[name]);
    }
  });

  it('decodes signed and unsigned integers', () => {
    const e = (type: DataType) => ({ type, byteOrder: 'BE' as Order, wordOrder: 'BE' as Order });
    expect(decodeRegisters([0xffff], 0, e('int16'))).toBe(-1);
    expect(decodeRegisters([0xffff], 0, e('uint16'))).toBe(65535);
    expect(decodeRegisters([0xffff, 0xfffe], 0, e('int32'))).toBe(-2);
    expect(decodeRegisters([0x1234, 0x5678], 0, e('uint32'))).toBe(0x12345678);
    expect(decodeRegisters([0x1234, 0x5678], 0, { ...e('uint32'), wordOrder: 'LE' })).toBe(0x56781234);
    expect(decodeRegisters([0, 0x1234, 0x5678], 1, e('uint32'))).toBe(0x12345678);
    expect(decodeRegisters([0x4009, 0x21fb, 0x5444, 0x2d18], 0, e('float64'))).toBe(Math.PI);
    expect(decodeRegisters([0b1010_0000_0000_0100], 0, { ...e('bit'), bit: 2 })).toBe(1);
    expect(decodeRegisters([0b1010_0000_0000_0100], 0, { ...e('bit'), bit: 3 })).toBe(0);
    expect(decodeRegisters([0b1010_0000_0000_0100], 0, { ...e('bit'), bit: 15 })).toBe(1);
    expect(decodeRegisters([7], 0, e('bool'))).toBe(1);
  });

  it('round-trips every type and order (property)', () => {
    const types: Array<[DataType, fc.Arbitrary<number>]> = [
      ['int16', fc.integer({ min: -32768, max: 32767 })], ['uint16', fc.integer({ min: 0, max: 65535 })],
      ['int32', fc.integer({ min: -2147483648, max: 2147483647 })], ['uint32', fc.integer({ min: 0, max: 4294967295 })],
      ['float32', fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround)], ['float64', fc.double({ noNaN: true, noDefaultInfinity: true })],
    ];
    for (const [type, arb] of types) {
      fc.assert(fc.property(arb, fc.constantFrom(...orders), (v, [byteOrder, wordOrder]) => {
        const words = encodeRegisters(v, { type, byteOrder, wordOrder });
        expect(words.every((w) => w >= 0 && w <= 0xffff)).toBe(true);
        expect(Object.is(decodeRegisters(words, 0, { type, byteOrder, wordOrder }), v) || (v === 0 && decodeRegisters(words, 0, { type, byteOrder, wordOrder }) === 0)).toBe(true);
      }), { numRuns: 200 });
    }
  });

  it('refuses out-of-range and non-finite values naming the field', () => {
    expect(() => encodeRegisters(70000, { type: 'uint16', byteOrder: 'BE', wordOrder: 'BE' })).toThrow(/^value: 70000 is out of range for uint16/);
    expect(() => encodeRegisters(NaN, { type: 'float32', byteOrder: 'BE', wordOrder: 'BE' })).toThrow(/^value: /);
    expect(() => encodeRegisters(1, { type: 'bit', byteOrder: 'BE', wordOrder: 'BE', bit: 1 })).toThrow(/^type: /);
  });
});
