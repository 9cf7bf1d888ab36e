import { PickleGlobal, readPickle, type Constructor } from './pickle.js';
import { openZip, type ZipArchive } from './zip.js';

/**
 * Reads a PyTorch state_dict written by torch.save (the ZIP format, PyTorch 1.6 and later):
 * `<prefix>/data.pkl` describes an OrderedDict of name -> tensor, each tensor a view into a
 * storage kept as raw little-endian bytes in `<prefix>/data/<key>`. Only float32 tensors
 * are read, since that is all the generators this project imports are made of.
 */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** A storage as the pickle refers to it: ('storage', torch.FloatStorage, key, device, numel). */
class StorageRef {
  constructor(
    readonly type: string,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A tensor as the pickle describes it: where in which storage its values lie. */
class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** The element type each storage global stands for; only the first is accepted. */
const STORAGE_TYPES: Record<string, string> = {
  'torch.FloatStorage': 'float32',
  'torch.DoubleStorage': 'float64',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
};
const FLOAT_STORAGE = 'torch.FloatStorage';

/**
 * Every global a plain state_dict names. The storage types are only ever values; the three
 * callables become the TypeScript constructors below, which check and hold their arguments.
 */
const GLOBALS: Record<string, Constructor | null> = {
  'collections.OrderedDict': orderedDict,
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_parameter': rebuildParameter,
  ...Object.fromEntries(Object.keys(STORAGE_TYPES).map((name) => [name, null])),
};

export function readTorchStateDict(bytes: Uint8Array, file: string): Map<string, TorchTensor> {
  let zip: ZipArchive;
  try {
    zip = openZip(bytes, file);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; expected a file written by torch.save, a ZIP archive ` +
        'since PyTorch 1.6',
    );
  }
  const prefix = archivePrefix(zip, file);
  checkByteOrder(zip, prefix, file);

  const pickleName = `${prefix}/data.pkl`;
  const root = readPickle(zip.read(pickleName)!, {
    source: `${file} (${pickleName})`,
    accepts: 'PyTorch state_dicts',
    globals: GLOBALS,
    persistentLoad: storageRef,
  });
  if (!(root instanceof Map)) {
    throw new Error(`${file}: the pickle holds ${describe(root)}, expected a state_dict (a dict)`);
  }

  const storages = new Map<string, Uint8Array>();
  const tensors = new Map<string, TorchTensor>();
  for (const [name, value] of root) {
    if (typeof name !== 'string' || !(value instanceof TensorRef)) {
      throw new Error(
        `${file}: state_dict entry ${JSON.stringify(name)} is ${describe(value)}, ` +
          'expected a tensor',
      );
    }
    const { key } = value.storage;
    if (!storages.has(key)) storages.set(key, readStorage(zip, prefix, value.storage, file));
    tensors.set(name, readTensor(name, value, storages.get(key)!, file));
  }
  return tensors;
}

/** torch.save puts everything under one folder named after the file; find it by data.pkl. */
function archivePrefix(zip: ZipArchive, file: string): string {
  const pickles = zip.names.filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    const found = pickles.length === 0 ? 'none' : pickles.join(', ');
    throw new Error(
      `${file}: expected exactly one <folder>/data.pkl in the ZIP archive, as torch.save ` +
        `writes, found ${found}`,
    );
  }
  return pickles[0].slice(0, -'/data.pkl'.length);
}

/** Files from big-endian machines say so in `byteorder`; older files have none and are little. */
function checkByteOrder(zip: ZipArchive, prefix: string, file: string): void {
  const entry = zip.read(`${prefix}/byteorder`);
  const order = entry ? new TextDecoder().decode(entry).trim() : 'little';
  if (order !== 'little') {
    throw new Error(`${file}: tensors stored ${order}-endian, expected little-endian`);
  }
}

function storageRef(id: unknown): StorageRef {
  const shapeOk =
    Array.isArray(id) &&
    id.length === 5 &&
    id[0] === 'storage' &&
    id[1] instanceof PickleGlobal &&
    typeof id[2] === 'string' &&
    typeof id[3] === 'string' &&
    isCount(id[4]);
  if (!shapeOk) {
    throw new Error(
      `persistent id ${describe(id)} is not ('storage', <storage type>, key, device, numel)`,
    );
  }
  return new StorageRef(id[1].name, id[2], id[4]);
}

function orderedDict(args: unknown[]): Map<unknown, unknown> {
  if (args.length !== 0) throw new Error('expected no arguments, as a state_dict is built');
  return new Map();
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata]) */
function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (args.length < 6 || args.length > 7) throw new Error('expected 6 or 7 arguments');
  if (!(storage instanceof StorageRef)) throw new Error('the first argument is not a storage');
  if (!isCount(offset)) throw new Error('storage_offset is not a non-negative integer');
  if (!isCounts(shape) || !isCounts(stride) || shape.length !== stride.length) {
    throw new Error('size and stride are not tuples of non-negative integers of one length');
  }
  return new TensorRef(storage, offset, shape, stride);
}

/** _rebuild_parameter(data, requires_grad, hooks): a Parameter is its tensor, for reading. */
function rebuildParameter(args: unknown[]): TensorRef {
  if (args.length !== 3 || !(args[0] instanceof TensorRef)) {
    throw new Error('expected (tensor, requires_grad, backward_hooks)');
  }
  return args[0];
}

function readStorage(zip: ZipArchive, prefix: string, storage: StorageRef, file: string) {
  const entry = `${prefix}/data/${storage.key}`;
  const dtype = STORAGE_TYPES[storage.type];
  if (storage.type !== FLOAT_STORAGE) {
    throw new Error(`${file}: ${entry} holds ${dtype} values, expected float32 (torch.float)`);
  }
  const bytes = zip.read(entry);
  if (!bytes)
    throw new Error(`${file}: the pickle refers to ${entry}, which is not in the archive`);
  const expected = storage.numel * 4;
  if (bytes.length !== expected) {
    throw new Error(
      `${file}: ${entry} holds ${bytes.length} bytes, expected ${expected} ` +
        `(${storage.numel} float32 values); the file is truncated or damaged`,
    );
  }
  return bytes;
}

function readTensor(name: string, tensor: TensorRef, storage: Uint8Array, file: string) {
  const { shape, stride, offset } = tensor;
  const count = shape.reduce((a, b) => a * b, 1);
  const contiguous = rowMajorStrides(shape);
  // A dimension of size 1 is never stepped along, so PyTorch leaves its stride arbitrary.
  if (shape.some((size, i) => size > 1 && stride[i] !== contiguous[i])) {
    throw new Error(
      `${file}: tensor ${name} has strides [${stride.join(', ')}] for shape ` +
        `[${shape.join(', ')}], expected the contiguous [${contiguous.join(', ')}]; ` +
        'save tensor.contiguous() instead',
    );
  }
  const available = storage.length / 4;
  if (offset + count > available) {
    throw new Error(
      `${file}: tensor ${name} needs values ${offset} to ${offset + count - 1} of a storage ` +
        `of ${available}`,
    );
  }
  // DataView reads little-endian on any machine, and does not need the entry to be aligned.
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32((offset + i) * 4, true);
  return { shape: [...shape], data };
}

function rowMajorStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isCounts(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isCount);
}

/** A short description of a pickled value, for messages. */
function describe(value: unknown): string {
  if (value instanceof TensorRef) return 'a tensor';
  if (value instanceof StorageRef) return 'a storage';
  if (value instanceof PickleGlobal) return `the global ${value.name}`;
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return `a tuple of ${value.length}`;
  if (value === null) return 'None';
  return `a ${typeof value}`;
}
