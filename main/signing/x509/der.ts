/**
 * Just enough DER to read a certificate's extensions and to write the sandbox's test certificates.
 * Node's X509Certificate reads subjects and dates but not the basic Key Usage bits, which decide whether
 * a certificate may sign a prescription (nonRepudiation).
 */

export interface DerNode {
  tag: number;
  /** The content bytes (for a constructed node, its children's encodings). */
  content: Buffer;
}

/** Reads one node at `offset`; returns it and the offset just past it. */
export function readDer(buffer: Buffer, offset = 0): { node: DerNode; next: number } {
  const tag = byteAt(buffer, offset);
  let length = byteAt(buffer, offset + 1);
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) {
      throw new Error('Unsupported DER length');
    }
    length = 0;
    for (let i = 0; i < octets; i++) {
      length = length * 256 + byteAt(buffer, start + i);
    }
    start += octets;
  }
  if (start + length > buffer.length) {
    throw new Error('DER value runs past its buffer');
  }
  return { node: { tag, content: buffer.subarray(start, start + length) }, next: start + length };
}

/** The children of a constructed node (SEQUENCE, SET, context tags). */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const { node: child, next } = readDer(node.content, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

function byteAt(buffer: Buffer, offset: number): number {
  const value = buffer[offset];
  if (value === undefined) {
    throw new Error('DER value is truncated');
  }
  return value;
}

// Writing.

export function der(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) {
    return Buffer.from([length]);
  }
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest & 0xff);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
export const set = (...parts: Buffer[]) => der(0x31, ...parts);
export const octetString = (value: Buffer) => der(0x04, value);
export const utf8String = (value: string) => der(0x0c, Buffer.from(value, 'utf8'));
export const booleanTrue = () => der(0x01, Buffer.from([0xff]));
export const nullValue = () => der(0x05);
export const explicit = (n: number, ...parts: Buffer[]) => der(0xa0 + n, ...parts);

export function integer(value: Buffer): Buffer {
  // DER integers are signed: a leading 1 bit needs a zero byte in front to stay positive.
  const body = value[0] !== undefined && value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return der(0x02, body);
}

export function bitString(value: Buffer, unusedBits = 0): Buffer {
  return der(0x03, Buffer.from([unusedBits]), value);
}

export function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      chunk.unshift((value & 0x7f) | 0x80);
    }
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${digits.slice(2)}Z`)) : der(0x18, Buffer.from(`${digits}Z`));
}
