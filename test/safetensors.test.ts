import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeSafetensors, encodeSafetensors } from '../src/models/safetensors.js';

const TENSORS = {
  weights: { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -1e8]) },
  bias: { shape: [1], data: Float32Array.from([0.25]) },
};

describe('safetensors', () => {
  test('gives back the tensors and metadata it was given', () => {
    const bytes = encodeSafetensors(TENSORS, { state: '{"epoch":3}' });

    const { tensors, metadata } = decodeSafetensors(bytes, 'model.safetensors');

    assert.deepEqual(tensors, TENSORS);
    assert.deepEqual(metadata, { state: '{"epoch":3}' });
  });

  test('writes the layout other readers expect: u64 header length, JSON header, F32 data', () => {
    const bytes = encodeSafetensors({ x: { shape: [2], data: Float32Array.from([1, 2]) } });

    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    assert.deepEqual(header, {
      __metadata__: {},
      x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    });
    // The data starts 8-byte aligned and is little-endian float32: 1.0 = 00 00 80 3f.
    assert.equal((8 + headerLength) % 8, 0);
    assert.deepEqual([...bytes.subarray(8 + headerLength)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  });

  test('reads tensors from a buffer that is a slice of a larger one', () => {
    const bytes = encodeSafetensors(TENSORS);
    const padded = Buffer.alloc(bytes.length + 3);
    bytes.copy(padded, 3);

    const { tensors } = decodeSafetensors(padded.subarray(3), 'sliced');

    assert.deepEqual(tensors, TENSORS);
  });

  test('refuses a file whose data is cut short, naming the file and the tensor', () => {
    const bytes = encodeSafetensors(TENSORS);

    assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'cut.safetensors'), {
      message:
        'cut.safetensors: tensor bias is truncated or its byte range does not match its shape',
    });
  });

  test('refuses a file cut off inside its header', () => {
    const bytes = encodeSafetensors(TENSORS);

    assert.throws(() => decodeSafetensors(bytes.subarray(0, 20), 'cut.safetensors'), {
      message: /^cut\.safetensors: truncated \(header says \d+ bytes, file has 12\)$/,
    });
  });

  test('refuses a file shorter than the 8-byte header length', () => {
    assert.throws(() => decodeSafetensors(Buffer.from([1, 2, 3]), 'tiny'), {
      message: 'tiny: not a safetensors file (3 bytes)',
    });
  });

  test('refuses a header that is not JSON', () => {
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(8n, 0);
    bytes.write('not json', 8);

    assert.throws(() => decodeSafetensors(bytes, 'garbage'), {
      message: 'garbage: not a safetensors file (its header is not JSON)',
    });
  });

  test('refuses a tensor whose shape does not match its values', () => {
    const wrong = { x: { shape: [2, 2], data: Float32Array.from([1, 2, 3]) } };

    assert.throws(() => encodeSafetensors(wrong), {
      message: 'tensor x: shape [2,2] needs 4 values, got 3',
    });
  });
});
