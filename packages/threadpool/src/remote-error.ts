/**
 * Carries what a task throws across the thread boundary. @internal
 *
 * The structured clone keeps an Error's message and stack but turns every subclass into a plain
 * `Error` and drops `code`, `cause` and other own properties. So the worker encodes a thrown
 * error by hand (class name, name, message, stack, cause chain, `AggregateError#errors`, own
 * properties that can be cloned) and the pool rebuilds it: built-in classes (`TypeError`,
 * `RangeError`, `AggregateError`, `DOMException`...) come back as themselves, other classes as an
 * `Error` whose `name` is the class name. The stack is the worker's own, pointing at the line
 * of the task module that threw. Values thrown that are not errors come back as they were
 * thrown when they can be cloned, else as their `String()`.
 */
import { types } from 'node:util';

/** What `encodeThrown()` produces. @internal */
export type EncodedThrown = EncodedError | EncodedValue;

/** @internal */
export interface EncodedError {
  kind: 'error';
  /** `constructor.name` of the thrown error */
  className: string;
  name: string;
  message: string;
  stack: string | undefined;
  /** present when the error had an own `cause` */
  cause?: EncodedThrown;
  /** `AggregateError#errors` */
  errors?: EncodedThrown[];
  /** own enumerable properties that survive a structured clone (`code`, `errno`, ...) */
  properties: Record<string, unknown>;
}

/** @internal */
export interface EncodedValue {
  kind: 'value';
  value: unknown;
}

const MAX_DEPTH = 8;

const SKIPPED = new Set(['name', 'message', 'stack', 'cause', 'errors']);

type ErrorConstructorLike = new (message?: string) => Error;

const BUILT_IN: Record<string, ErrorConstructorLike> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function cloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value !== 'symbol';
  }
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Encodes a thrown value in the worker so that {@link decodeThrown} can rebuild it. @internal */
export function encodeThrown(thrown: unknown, depth = 0): EncodedThrown {
  if (!isError(thrown) && !(thrown instanceof DOMException)) {
    return { kind: 'value', value: cloneable(thrown) ? thrown : String(thrown) };
  }
  const error = thrown as Error & { errors?: unknown };
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (SKIPPED.has(key)) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) properties[key] = value;
  }
  const constructorName: unknown = (error.constructor as { name?: unknown } | undefined)?.name;
  const encoded: EncodedError = {
    kind: 'error',
    className: typeof constructorName === 'string' ? constructorName : 'Error',
    name: String(error.name),
    message: String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    properties,
  };
  if (depth < MAX_DEPTH) {
    if (Object.hasOwn(error, 'cause')) encoded.cause = encodeThrown(error.cause, depth + 1);
    if (Array.isArray(error.errors)) {
      encoded.errors = error.errors.map((item: unknown) => encodeThrown(item, depth + 1));
    }
  }
  return encoded;
}

function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Rebuilds in the pool's thread what {@link encodeThrown} encoded in a worker. @internal */
export function decodeThrown(encoded: EncodedThrown): unknown {
  if (encoded.kind === 'value') return encoded.value;
  let error: Error;
  if (encoded.className === 'AggregateError') {
    error = new AggregateError((encoded.errors ?? []).map(decodeThrown), encoded.message);
  } else if (encoded.className === 'DOMException') {
    error = new DOMException(encoded.message, encoded.name);
  } else {
    const Constructor = BUILT_IN[encoded.className] ?? Error;
    error = new Constructor(encoded.message);
    // A subclass that never set `name` still reports its class, as the brief asks.
    const name =
      encoded.name === 'Error' && !(encoded.className in BUILT_IN)
        ? encoded.className
        : encoded.name;
    if (name !== error.name) hidden(error, 'name', name);
    if (encoded.errors) hidden(error, 'errors', encoded.errors.map(decodeThrown));
  }
  hidden(error, 'stack', encoded.stack);
  if (encoded.cause) hidden(error, 'cause', decodeThrown(encoded.cause));
  Object.assign(error, encoded.properties);
  return error;
}
