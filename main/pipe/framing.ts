/**
 * `Content-Length` framing, as the Language Server Protocol frames JSON-RPC.
 *
 * A frame is ASCII header lines, a blank line, then exactly Content-Length bytes of UTF-8 JSON. This is what
 * StreamJsonRpc's HeaderDelimitedMessageHandler (.NET) and vscode-jsonrpc (Node) speak, so suppliers need
 * no code of ours. Limits are enforced while reading, before anything is buffered past them.
 */
export const MAX_HEADER_BYTES = 1024;
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

const SEPARATOR = Buffer.from('\r\n\r\n');

export type FramingFault = 'HEADER_TOO_LARGE' | 'BAD_HEADER' | 'MISSING_LENGTH' | 'BAD_LENGTH' | 'TOO_LARGE';

export class FramingError extends Error {
  public readonly fault: FramingFault;

  constructor(fault: FramingFault, message: string) {
    super(message);
    this.name = 'FramingError';
    this.fault = fault;
  }
}

export function encodeFrame(body: string): Buffer {
  const payload = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${payload.length}\r\n\r\n`, 'ascii'), payload]);
}

/** Turns a byte stream into frame bodies. After a FramingError the stream cannot be resynchronised. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private bodyLength: number | null = null;

  /** Bytes received but not yet part of a complete frame. */
  public get pendingBytes(): number {
    return this.buffered;
  }

  public push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.bodyLength === null) {
        const head = this.peek(Math.min(this.buffered, MAX_HEADER_BYTES + SEPARATOR.length));
        const end = head.indexOf(SEPARATOR);
        if (end === -1) {
          if (this.buffered > MAX_HEADER_BYTES + SEPARATOR.length - 1) {
            throw new FramingError('HEADER_TOO_LARGE', `Frame headers exceed ${MAX_HEADER_BYTES} bytes.`);
          }
          break;
        }
        this.bodyLength = parseHeaders(head.subarray(0, end));
        this.consume(end + SEPARATOR.length);
      }
      if (this.buffered < this.bodyLength) {
        break;
      }
      frames.push(this.take(this.bodyLength));
      this.bodyLength = null;
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks.length > 1) {
      this.chunks = [Buffer.concat(this.chunks)];
    }
    return (this.chunks[0] ?? Buffer.alloc(0)).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  private consume(n: number): void {
    this.take(n);
  }
}

function parseHeaders(raw: Buffer): number {
  // Header bytes must be printable ASCII; anything else is not a header this protocol defines.
  for (const byte of raw) {
    if ((byte < 0x20 || byte > 0x7e) && byte !== 0x0d && byte !== 0x0a && byte !== 0x09) {
      throw new FramingError('BAD_HEADER', 'Frame headers must be ASCII.');
    }
  }
  let length: number | null = null;
  for (const line of raw.toString('ascii').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new FramingError('BAD_HEADER', `Malformed header line "${line.slice(0, 40)}".`);
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (length !== null) {
        throw new FramingError('BAD_HEADER', 'Content-Length appears twice.');
      }
      if (!/^\d{1,10}$/.test(value)) {
        throw new FramingError('BAD_LENGTH', `Content-Length "${value.slice(0, 20)}" is not a whole number of bytes.`);
      }
      length = Number(value);
      if (length > MAX_BODY_BYTES) {
        throw new FramingError('TOO_LARGE', `A frame may hold at most ${MAX_BODY_BYTES} bytes; this one declares ${length}.`);
      }
    } else if (name === 'content-type' && /charset=/i.test(value) && !/charset=["']?utf-?8/i.test(value)) {
      throw new FramingError('BAD_HEADER', 'Only UTF-8 content is accepted.');
    }
  }
  if (length === null) {
    throw new FramingError('MISSING_LENGTH', 'Every frame needs a Content-Length header.');
  }
  return length;
}
