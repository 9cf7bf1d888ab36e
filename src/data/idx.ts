import { readFileSync } from 'node:fs';

/**
 * The IDX format of the MNIST files: a big-endian magic number whose third byte is the
 * element type (0x08 = unsigned byte) and fourth the number of dimensions, one big-endian
 * 32-bit size per dimension, then the data.
 */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an IDX file of unsigned bytes; `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${name}: not an IDX file (${bytes.length} bytes, the header alone is 4+)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file (magic number must start with two zero bytes)`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    const found = bytes[2].toString(16).padStart(2, '0');
    throw new Error(`${name}: IDX element type 0x${found} is not supported, expected 0x08`);
  }
  const dimensions = bytes[3];
  const headerSize = 4 + 4 * dimensions;
  if (dimensions === 0) {
    throw new Error(`${name}: IDX header declares 0 dimensions, expected at least 1`);
  }
  if (bytes.length < headerSize) {
    throw new Error(
      `${name}: IDX header is truncated (${dimensions} dimensions need ${headerSize} bytes ` +
        `of header, the file holds ${bytes.length})`,
    );
  }
  const shape: number[] = [];
  for (let i = 0; i < dimensions; i++) shape.push(view.getUint32(4 + 4 * i));
  const expected = shape.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual !== expected) {
    throw new Error(
      `${name}: IDX header declares shape [${shape.join(', ')}] = ${expected} bytes of data, ` +
        `but the file holds ${actual} (${actual < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  return { shape, data: bytes.subarray(headerSize) };
}

export function readIdxFile(path: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read IDX file (${code ?? String(error)})`);
  }
  return parseIdx(bytes, path);
}
