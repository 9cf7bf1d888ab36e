/**
 * Reading and writing the safetensors format (an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then raw little-endian data), so
 * that weights and checkpoints are plain files that Python's `safetensors` can open too.
 * Only float32 tensors are used here.
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Record<string, NamedTensor>;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}) {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length) {
      throw new Error(
        `tensor ${name}: shape [${tensor.shape}] needs ${size} values, got ${tensor.data.length}`,
      );
    }
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + size * 4] };
    offset += size * 4;
  }
  // The format pads the header with spaces so that the data starts 8-byte aligned.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const tensor of Object.values(tensors)) {
    const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    bytes.copy(out, position);
    position += bytes.length;
  }
  return out;
}

/** Parses a safetensors file; `name` (its path) is used in error messages. */
export function decodeSafetensors(bytes: Buffer, name: string) {
  if (bytes.length < 8) throw new Error(`${name}: not a safetensors file (${bytes.length} bytes)`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > bytes.length - 8) {
    throw new Error(
      `${name}: truncated (header says ${headerLength} bytes, file has ${bytes.length - 8})`,
    );
  }
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new Error(`${name}: not a safetensors file (its header is not JSON)`);
  }
  const dataStart = 8 + headerLength;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors: TensorMap = {};
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const entry = value as HeaderEntry;
    const wellFormed =
      Array.isArray(entry?.shape) &&
      Array.isArray(entry?.data_offsets) &&
      entry.data_offsets.length === 2;
    if (!wellFormed)
      throw new Error(`${name}: tensor ${key} has no shape or byte range in the header`);
    if (entry.dtype !== 'F32')
      throw new Error(`${name}: tensor ${key} is ${entry.dtype}, expected F32`);
    const [begin, end] = entry.data_offsets;
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * 4 || dataStart + end > bytes.length) {
      throw new Error(
        `${name}: tensor ${key} is truncated or its byte range does not match its shape`,
      );
    }
    // Copied so the tensor is aligned and independent of the file buffer.
    const data = new Float32Array(size);
    Buffer.from(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors[key] = { shape: entry.shape, data };
  }
  return { tensors, metadata };
}
