import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePng, encodePng, tile, toGreyLevels, upscale } from '../src/image/png.js';

describe('toGreyLevels', () => {
  test('maps -1 to 0, 1 to 255 and 0 to 127 (127.5 truncated)', () => {
    assert.deepEqual([...toGreyLevels([-1, 1, 0])], [0, 255, 127]);
  });

  test('clamps values outside [-1, 1]', () => {
    assert.deepEqual([...toGreyLevels([-3, 1.5])], [0, 255]);
  });

  test('truncates rather than rounds: 0.5 is 191 (191.25), -0.5 is 63 (63.75)', () => {
    assert.deepEqual([...toGreyLevels(Float32Array.from([0.5, -0.5]))], [191, 63]);
  });
});

describe('upscale', () => {
  test('turns every pixel into a scale x scale block', () => {
    const image = { width: 2, height: 2, pixels: Uint8Array.from([1, 2, 3, 4]) };

    const big = upscale(image, 3);

    assert.equal(big.width, 6);
    assert.equal(big.height, 6);
    assert.deepEqual(
      [...big.pixels],
      [
        1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4, 3,
        3, 3, 4, 4, 4,
      ],
    );
  });

  test('keeps a non-square image the right way round', () => {
    const wide = { width: 3, height: 1, pixels: Uint8Array.from([7, 8, 9]) };

    const big = upscale(wide, 2);

    assert.equal(big.width, 6);
    assert.equal(big.height, 2);
    assert.deepEqual([...big.pixels], [7, 7, 8, 8, 9, 9, 7, 7, 8, 8, 9, 9]);
  });

  test('returns the image unchanged for scale 1', () => {
    const image = { width: 1, height: 2, pixels: Uint8Array.from([5, 6]) };

    assert.deepEqual(upscale(image, 1), image);
  });
});

describe('tile', () => {
  test('lays images out in rows of `columns` with black gaps around and between them', () => {
    const images = [1, 2, 3].map((v) => ({ width: 1, height: 1, pixels: Uint8Array.from([v]) }));

    const grid = tile(images, 2, 1);

    // 2 columns and 2 rows of 1-pixel images, 1-pixel gaps: 5 x 5, last cell empty.
    assert.equal(grid.width, 5);
    assert.equal(grid.height, 5);
    assert.deepEqual(
      [...grid.pixels],
      [0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0],
    );
  });
});

describe('PNG', () => {
  const image = { width: 3, height: 2, pixels: Uint8Array.from([0, 64, 128, 192, 255, 1]) };

  test('starts with the PNG signature and declares an 8-bit greyscale image', () => {
    const png = encodePng(image);

    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.equal(png.readUInt32BE(16), 3);
    assert.equal(png.readUInt32BE(20), 2);
    assert.equal(png[24], 8, 'bit depth');
    assert.equal(png[25], 0, 'colour type 0 = greyscale');
  });

  test('decodes to the grey levels that were encoded', () => {
    const decoded = decodePng(encodePng(image));

    assert.equal(decoded.width, 3);
    assert.equal(decoded.height, 2);
    assert.deepEqual([...decoded.pixels], [0, 64, 128, 192, 255, 1]);
  });

  test('encodes an image that is a view into a larger buffer', () => {
    const backing = Uint8Array.from([9, 9, 10, 20, 30, 40]);
    const view = { width: 2, height: 2, pixels: backing.subarray(2) };

    assert.deepEqual([...decodePng(encodePng(view)).pixels], [10, 20, 30, 40]);
  });
});
