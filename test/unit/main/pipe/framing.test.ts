import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramingError, MAX_BODY_BYTES, encodeFrame } from '../../../../main/pipe/framing.js';

function faultOf(input: string | Buffer): string {
  try {
    new FrameDecoder().push(Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1'));
  } catch (err) {
    expect(err).toBeInstanceOf(FramingError);
    return (err as FramingError).fault;
  }
  return 'none';
}

describe('FrameDecoder', () => {
  it('reads a frame written by encodeFrame, including multi-byte UTF-8', () => {
    const body = JSON.stringify({ name: 'Paracetamol 500 mg — “tablets”' });
    const frames = new FrameDecoder().push(encodeFrame(body));
    expect(frames.map((f) => f.toString('utf8'))).toEqual([body]);
  });

  it('reassembles a frame delivered one byte at a time', () => {
    const decoder = new FrameDecoder();
    const bytes = encodeFrame('{"jsonrpc":"2.0","id":1,"method":"x"}');
    const frames: Buffer[] = [];
    for (const byte of bytes) {
      frames.push(...decoder.push(Buffer.from([byte])));
    }
    expect(frames).toHaveLength(1);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('splits several frames arriving in one chunk, and keeps a partial one', () => {
    const decoder = new FrameDecoder();
    const third = encodeFrame('"c"');
    const chunk = Buffer.concat([encodeFrame('"a"'), encodeFrame('"b"'), third.subarray(0, 5)]);
    expect(decoder.push(chunk).map(String)).toEqual(['"a"', '"b"']);
    expect(decoder.push(third.subarray(5)).map(String)).toEqual(['"c"']);
  });

  it('accepts other headers and a UTF-8 Content-Type, as vscode-jsonrpc sends', () => {
    const frames = new FrameDecoder().push(
      Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 2\r\n\r\n{}'),
    );
    expect(frames.map(String)).toEqual(['{}']);
  });

  it('refuses frames without, or with a malformed, Content-Length', () => {
    expect(faultOf('Content-Type: x\r\n\r\n{}')).toBe('MISSING_LENGTH');
    expect(faultOf('Content-Length: -5\r\n\r\n')).toBe('BAD_LENGTH');
    expect(faultOf('Content-Length: 12abc\r\n\r\n')).toBe('BAD_LENGTH');
    expect(faultOf('Content-Length: 1\r\nContent-Length: 1\r\n\r\n{')).toBe('BAD_HEADER');
    expect(faultOf('garbage\r\n\r\n')).toBe('BAD_HEADER');
  });

  it('refuses a declared length over 8 MiB before reading the body', () => {
    expect(faultOf(`Content-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`)).toBe('TOO_LARGE');
    expect(faultOf('Content-Length: 99999999999999999999\r\n\r\n')).toBe('BAD_LENGTH');
  });

  it('refuses headers longer than 1 KiB even before their end arrives', () => {
    expect(faultOf(`X-Padding: ${'a'.repeat(1100)}`)).toBe('HEADER_TOO_LARGE');
  });

  it('refuses non-ASCII header bytes and charsets other than UTF-8', () => {
    expect(faultOf(Buffer.from([0x43, 0xff, 0x3a, 0x20, 0x31, 0x0d, 0x0a, 0x0d, 0x0a]))).toBe('BAD_HEADER');
    expect(faultOf('Content-Type: application/json; charset=latin1\r\nContent-Length: 2\r\n\r\n{}')).toBe('BAD_HEADER');
  });
});
