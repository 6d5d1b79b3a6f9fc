/**
 * The JSON text of a GraphQL result, the same bytes as Apollo Server's default
 * (`JSON.stringify(result) + '\n'`), written straight into one reused byte buffer.
 *
 * Why: `JSON.stringify` hands back a rope of many pieces. Everything that reads it afterwards
 * (the `Content-Length`, the socket write) first copies it into one flat string, and for a large
 * fan-out answer on a busy heap that copy cost more than the stringify itself (about 1 ms for
 * 88 kB in bench/gateway). Here the pieces go into a buffer as they come, and one decode makes the
 * flat string.
 *
 * Plain objects, arrays, strings, numbers, booleans and null (all a GraphQL result holds) are
 * written here; anything else (a `toJSON`, boxed primitives, bigint) and any failure (a cycle) go
 * to `JSON.stringify`, so the text and the errors are always those of `JSON.stringify`.
 */

/** A string JSON.stringify writes as `"` + itself + `"`: no quote, backslash, control character or surrogate. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** The buffer is kept between results up to this size; a larger one is let go after use. */
const KEEP_BYTES = 4 * 1024 * 1024;

let buffer = Buffer.allocUnsafeSlow(256 * 1024);
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= buffer.length) return;
  let size = buffer.length * 2;
  while (size < at + bytes) size *= 2;
  const larger = Buffer.allocUnsafeSlow(size);
  buffer.copy(larger, 0, 0, at);
  buffer = larger;
}

function writeAscii(text: string): void {
  room(text.length);
  for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
}

function writeString(value: string): void {
  if (value.length < 64) {
    // short strings: byte by byte when they are plain ASCII (most keys and values)
    room(value.length + 2);
    const start = at;
    buffer[at++] = 0x22;
    let plain = true;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) {
        plain = false;
        break;
      }
      buffer[at++] = code;
    }
    if (plain) {
      buffer[at++] = 0x22;
      return;
    }
    at = start;
  }
  const text = NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : undefined;
  if (text === undefined) {
    room(value.length * 3 + 2);
    buffer[at++] = 0x22;
    at += buffer.write(value, at);
    buffer[at++] = 0x22;
  } else {
    room(text.length * 3);
    at += buffer.write(text, at);
  }
}

/**
 * Writes `value` as JSON.stringify would; false when it writes nothing (undefined, a function, a
 * symbol). `converted`: the value is what a `toJSON` returned, whose own `toJSON` is not called.
 */
function writeValue(value: unknown, key: string, converted = false): boolean {
  switch (typeof value) {
    case 'string':
      writeString(value);
      return true;
    case 'number':
      writeAscii(Number.isFinite(value) ? String(value) : 'null');
      return true;
    case 'boolean':
      writeAscii(value ? 'true' : 'false');
      return true;
    case 'object':
      break;
    case 'undefined':
    case 'function':
    case 'symbol':
      return false;
    default:
      return writeOther(value, key, converted);
  }
  if (value === null) {
    writeAscii('null');
    return true;
  }
  if (!converted && typeof (value as { toJSON?: unknown }).toJSON === 'function') return writeValue((value as { toJSON(key: string): unknown }).toJSON(key), key, true);
  if (Array.isArray(value)) {
    room(1);
    buffer[at++] = 0x5b;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) {
        room(1);
        buffer[at++] = 0x2c;
      }
      if (!writeValue(value[i], String(i))) writeAscii('null');
    }
    room(1);
    buffer[at++] = 0x5d;
    return true;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean || (typeof BigInt === 'function' && value instanceof BigInt)) return writeOther(value, key, converted);
  room(1);
  buffer[at++] = 0x7b;
  let first = true;
  for (const name of Object.keys(value)) {
    const mark = at;
    if (!first) {
      room(1);
      buffer[at++] = 0x2c;
    }
    writeString(name);
    room(1);
    buffer[at++] = 0x3a;
    if (writeValue((value as Record<string, unknown>)[name], name)) first = false;
    else at = mark;
  }
  room(1);
  buffer[at++] = 0x7d;
  return true;
}

/**
 * Anything this writer does not spell out itself: JSON.stringify's own text for it, under its key.
 * A value a toJSON returned is not converted again (as in JSON.stringify): boxed primitives are
 * unboxed here, and a bigint throws as JSON.stringify does.
 */
function writeOther(value: unknown, key: string, converted: boolean): boolean {
  if (converted) {
    if (value instanceof Number) return writeValue(Number(value), key, true);
    if (value instanceof String) return writeValue(String(value), key, true);
    if (value instanceof Boolean) return writeValue(value.valueOf(), key, true);
    if (typeof value === 'bigint' || value instanceof BigInt) throw new TypeError('Do not know how to serialize a BigInt');
  }
  const text = JSON.stringify({ [key]: value });
  const prefix = JSON.stringify(key).length + 2;
  if (text.length === 2) return false;
  const inner = text.slice(prefix, -1);
  room(inner.length * 3);
  at += buffer.write(inner, at);
  return true;
}

/** Set while a result is written: a getter or toJSON that asks for another one gets JSON.stringify's. */
let busy = false;

/** `JSON.stringify(result) + '\n'` as one flat string. */
export function resultJson(result: unknown): string {
  if (busy) return JSON.stringify(result) + '\n';
  busy = true;
  at = 0;
  try {
    if (!writeValue(result, '')) return JSON.stringify(result) + '\n';
    room(1);
    buffer[at++] = 0x0a;
    return buffer.toString('utf8', 0, at);
  } catch {
    // whatever JSON.stringify says about it (a cycle, a bigint) is what the caller gets
    return JSON.stringify(result) + '\n';
  } finally {
    busy = false;
    if (buffer.length > KEEP_BYTES) buffer = Buffer.allocUnsafeSlow(256 * 1024);
  }
}
