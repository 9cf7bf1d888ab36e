import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseIdx, readIdxFile } from '../src/data/idx.js';
import { idxBytes } from './fixtures/idx.js';
import { temporaryDir } from './fixtures/temp-dir.js';

describe('parseIdx', () => {
  test('reads the shape from the header and the bytes after it as data', () => {
    const bytes = Uint8Array.from([
      0x00,
      0x00,
      0x08,
      0x03, // magic: unsigned bytes, 3 dimensions
      0x00,
      0x00,
      0x00,
      0x02, // 2 images
      0x00,
      0x00,
      0x00,
      0x02, // of 2 rows
      0x00,
      0x00,
      0x00,
      0x03, // of 3 columns
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
    ]);

    const idx = parseIdx(bytes, 'images');

    assert.deepEqual(idx.shape, [2, 2, 3]);
    assert.deepEqual([...idx.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('reads sizes above 255 as big-endian 32-bit numbers', () => {
    const idx = parseIdx(idxBytes([300], new Array(300).fill(7)), 'labels');

    assert.deepEqual(idx.shape, [300]);
    assert.equal(idx.data.length, 300);
  });

  test('refuses a magic number that does not start with two zero bytes', () => {
    const bytes = idxBytes([2], [1, 2]);
    bytes[0] = 0x1f;

    assert.throws(() => parseIdx(bytes, 'labels.gz'), {
      message: 'labels.gz: not an IDX file (magic number must start with two zero bytes)',
    });
  });

  test('refuses an element type other than unsigned byte and names the type found', () => {
    const floats = idxBytes([1], [0, 0, 0, 0], 0x0d);

    assert.throws(() => parseIdx(floats, 'weights'), {
      message: 'weights: IDX element type 0x0d is not supported, expected 0x08',
    });
  });

  test('refuses a file shorter than the 4-byte magic number', () => {
    const threeBytes = Uint8Array.from([0, 0, 8]);

    assert.throws(() => parseIdx(threeBytes, 'tiny'), {
      message: /^tiny: not an IDX file \(3 bytes/,
    });
  });

  test('refuses a header cut off inside its dimension sizes', () => {
    const cut = idxBytes([2, 28, 28], []).subarray(0, 10);

    assert.throws(() => parseIdx(cut, 'images'), /images: IDX header is truncated/);
  });

  test('refuses a header that declares no dimensions', () => {
    assert.throws(() => parseIdx(idxBytes([], []), 'empty'), /declares 0 dimensions/);
  });

  test('says "truncated" when the data is shorter than the shape declares', () => {
    const short = idxBytes([2, 3], [1, 2, 3, 4, 5]);

    assert.throws(() => parseIdx(short, 'images'), {
      message:
        'images: IDX header declares shape [2, 3] = 6 bytes of data, ' +
        'but the file holds 5 (truncated)',
    });
  });

  test('says "trailing bytes" when the data is longer than the shape declares', () => {
    const long = idxBytes([2], [1, 2, 3]);

    assert.throws(() => parseIdx(long, 'labels'), /holds 3 \(trailing bytes\)/);
  });

  test('reads a view into a larger buffer from its own offset', () => {
    const file = idxBytes([3], [7, 8, 9]);
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 5);

    const idx = parseIdx(padded.subarray(5), 'labels');

    assert.deepEqual(idx.shape, [3]);
    assert.deepEqual([...idx.data], [7, 8, 9]);
  });
});

describe('readIdxFile', () => {
  const dir = temporaryDir('idx');

  test('reads an IDX file from disk', () => {
    const path = join(dir, 'labels-idx1-ubyte');
    writeFileSync(path, idxBytes([4], [5, 0, 4, 1]));

    const idx = readIdxFile(path);

    assert.deepEqual(idx.shape, [4]);
    assert.deepEqual([...idx.data], [5, 0, 4, 1]);
  });

  test('names the missing file and the reason it cannot be read', () => {
    const path = join(dir, 'no-such-file');

    assert.throws(() => readIdxFile(path), { message: `${path}: cannot read IDX file (ENOENT)` });
  });

  test('names the file in format errors', () => {
    const path = join(dir, 'truncated-idx1-ubyte');
    writeFileSync(path, idxBytes([10], [1, 2, 3]));

    assert.throws(
      () => readIdxFile(path),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${path}: `), error.message);
        assert.match(error.message, /truncated/);
        return true;
      },
    );
  });
});
