/**
 * A reader for the pickles inside torch.save files that builds plain data and runs nothing.
 *
 * Python's own unpickler imports whatever module a pickle names and calls what it finds there,
 * which is how opening a .pth file can run code. This reader knows only the opcodes that
 * state_dicts are made of, lets a pickle name a global only when the caller allows that name,
 * and "calls" a global only through a constructor written in TypeScript by the caller, which
 * builds a data value from the arguments.
 *
 * Values come out as: null, boolean, number, string, arrays (Python lists and tuples), Map
 * (dicts), PickleGlobal (an allowed global named but not called), and whatever the caller's
 * constructors and persistentLoad return.
 */

/** A global the pickle named, e.g. "torch.FloatStorage", carried around as a value. */
export class PickleGlobal {
  constructor(readonly name: string) {}
}

/** Builds a value from REDUCE's argument tuple. */
export type Constructor = (args: unknown[]) => unknown;

export interface PickleOptions {
  /** Names the pickle by in messages, e.g. "model.pth (model/data.pkl)". */
  source: string;
  /** What the caller accepts, for the refusal of other globals, e.g. "PyTorch state_dicts". */
  accepts: string;
  /**
   * Globals the pickle may name, as "module.name": the constructor REDUCE applies for it, or
   * null for a global that may only be passed along as a value (a storage type, say).
   */
  globals: Record<string, Constructor | null>;
  /** Resolves a BINPERSID identifier (torch.save: a tensor storage kept beside the pickle). */
  persistentLoad(id: unknown): unknown;
}

// Opcodes, by the names the pickle module's own documentation gives them.
const PROTO = 0x80;
const FRAME = 0x95;
const STOP = 0x2e;
const MARK = 0x28;
const NONE = 0x4e;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const BININT = 0x4a;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const LONG1 = 0x8a;
const BINFLOAT = 0x47;
const BINUNICODE = 0x58;
const SHORT_BINUNICODE = 0x8c;
const EMPTY_TUPLE = 0x29;
const TUPLE = 0x74;
const TUPLE1 = 0x85;
const TUPLE2 = 0x86;
const TUPLE3 = 0x87;
const EMPTY_LIST = 0x5d;
const APPEND = 0x61;
const APPENDS = 0x65;
const EMPTY_DICT = 0x7d;
const SETITEM = 0x73;
const SETITEMS = 0x75;
const GLOBAL = 0x63;
const STACK_GLOBAL = 0x93;
const REDUCE = 0x52;
const BUILD = 0x62;
const BINPERSID = 0x51;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const MEMOIZE = 0x94;
const BINGET = 0x68;
const LONG_BINGET = 0x6a;

/** Separates a MARK from the values after it; private, so no pickled value can pass for it. */
const MARK_ON_STACK = Symbol('mark');

export function readPickle(bytes: Uint8Array, options: PickleOptions): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let position = 0;
  let opcodeAt = 0;

  const fail: (problem: string) => never = (problem) => {
    throw new Error(`${options.source}: ${problem} (pickle opcode at byte ${opcodeAt})`);
  };
  const take = (count: number): number => {
    if (position + count > bytes.length) fail('the pickle ends in the middle of an opcode');
    const at = position;
    position += count;
    return at;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK_ON_STACK) {
      fail('the pickle pops more values than it pushed');
    }
    return stack.pop();
  };
  const popToMark = (): unknown[] => {
    const mark = stack.lastIndexOf(MARK_ON_STACK);
    if (mark < 0) fail('the pickle closes a MARK it never opened');
    const items = stack.splice(mark);
    return items.slice(1);
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK_ON_STACK) {
      fail('the pickle reads a value where there is none');
    }
    return stack[stack.length - 1];
  };
  // Tuples are frozen so that APPEND can tell them from lists, as Python does.
  const tuple = (items: unknown[]): unknown[] => Object.freeze(items) as unknown[];
  const text = (count: number): string => {
    const at = take(count);
    try {
      return decoder.decode(bytes.subarray(at, at + count));
    } catch {
      return fail('a string in the pickle is not valid UTF-8');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) fail('the pickle ends inside a GLOBAL name');
    const value = text(end - position);
    take(1);
    return value;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) return fail('SETITEM on a value that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with a key but no value');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) {
      return fail('APPEND on a value that is not a list');
    }
    for (const item of items) target.push(item);
  };
  const pushGlobal = (module: string, name: string) => {
    const global = `${module}.${name}`;
    if (!Object.hasOwn(options.globals, global)) {
      fail(
        `refused the global "${global}": only ${options.accepts} are accepted, and they name ` +
          `no globals but ${Object.keys(options.globals).join(', ')}`,
      );
    }
    stack.push(new PickleGlobal(global));
  };
  const reduce = (callable: unknown, args: unknown) => {
    if (!(callable instanceof PickleGlobal)) return fail('REDUCE on a value that is not a global');
    const name = callable.name;
    const construct = options.globals[name];
    if (construct === null) return fail(`REDUCE calls ${name}, which may only appear as a value`);
    if (!Array.isArray(args)) return fail(`REDUCE gives ${name} arguments that are not a tuple`);
    try {
      return construct(args);
    } catch (error) {
      return fail(`${name} with ${args.length} arguments: ${(error as Error).message}`);
    }
  };

  while (position < bytes.length) {
    opcodeAt = position;
    const opcode = bytes[take(1)];
    switch (opcode) {
      case PROTO: {
        const protocol = bytes[take(1)];
        if (protocol > 5) fail(`pickle protocol ${protocol} is newer than 5, the latest known`);
        break;
      }
      case FRAME:
        // Frames only group opcodes for buffered reading; the whole pickle is in memory.
        take(8);
        break;
      case STOP: {
        const result = pop();
        return result;
      }
      case MARK:
        stack.push(MARK_ON_STACK);
        break;
      case NONE:
        stack.push(null);
        break;
      case NEWTRUE:
        stack.push(true);
        break;
      case NEWFALSE:
        stack.push(false);
        break;
      case BININT:
        stack.push(view.getInt32(take(4), true));
        break;
      case BININT1:
        stack.push(bytes[take(1)]);
        break;
      case BININT2:
        stack.push(view.getUint16(take(2), true));
        break;
      case LONG1: {
        const length = bytes[take(1)];
        stack.push(readLong(bytes, take(length), length, fail));
        break;
      }
      case BINFLOAT:
        stack.push(view.getFloat64(take(8), false));
        break;
      case BINUNICODE:
        stack.push(text(view.getUint32(take(4), true)));
        break;
      case SHORT_BINUNICODE:
        stack.push(text(bytes[take(1)]));
        break;
      case EMPTY_TUPLE:
        stack.push(tuple([]));
        break;
      case TUPLE:
        stack.push(tuple(popToMark()));
        break;
      case TUPLE1:
        stack.push(tuple([pop()]));
        break;
      case TUPLE2: {
        const second = pop();
        stack.push(tuple([pop(), second]));
        break;
      }
      case TUPLE3: {
        const third = pop();
        const second = pop();
        stack.push(tuple([pop(), second, third]));
        break;
      }
      case EMPTY_LIST:
        stack.push([]);
        break;
      case APPEND: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case APPENDS: {
        const items = popToMark();
        appendItems(top(), items);
        break;
      }
      case EMPTY_DICT:
        stack.push(new Map());
        break;
      case SETITEM: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case SETITEMS: {
        const items = popToMark();
        setItems(top(), items);
        break;
      }
      case GLOBAL: {
        const module = line();
        pushGlobal(module, line());
        break;
      }
      case STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          return fail('STACK_GLOBAL names a global with values that are not strings');
        }
        pushGlobal(module, name);
        break;
      }
      case REDUCE: {
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case BUILD:
        // BUILD would set attributes on the object below it. torch.save attaches only
        // `_metadata` (per-module version numbers) to a state_dict; nothing here needs it.
        pop();
        top();
        break;
      case BINPERSID: {
        const id = pop();
        try {
          stack.push(options.persistentLoad(id));
        } catch (error) {
          fail((error as Error).message);
        }
        break;
      }
      case BINPUT:
        memo.set(bytes[take(1)], top());
        break;
      case LONG_BINPUT:
        memo.set(view.getUint32(take(4), true), top());
        break;
      case MEMOIZE:
        memo.set(memo.size, top());
        break;
      case BINGET:
      case LONG_BINGET: {
        const index = opcode === BINGET ? bytes[take(1)] : view.getUint32(take(4), true);
        if (!memo.has(index)) fail(`the pickle refers to memo entry ${index}, never stored`);
        stack.push(memo.get(index));
        break;
      }
      default:
        fail(
          `pickle opcode 0x${opcode.toString(16).padStart(2, '0')} is not one a PyTorch ` +
            'state_dict uses, so this reader does not support it',
        );
    }
  }
  opcodeAt = position;
  return fail('the pickle ends without a STOP opcode');
}

/** LONG1: a little-endian two's complement integer; anything a double cannot hold is refused. */
function readLong(
  bytes: Uint8Array,
  at: number,
  length: number,
  fail: (problem: string) => never,
): number {
  if (length > 6) fail(`LONG1 of ${length} bytes, more than a safe integer holds`);
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  const negative = length > 0 && bytes[at + length - 1] >= 0x80;
  return negative ? value - 2 ** (8 * length) : value;
}
