import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RpcDispatcher, RpcError, defineMethod, type RpcConnection } from '../../../../main/pipe/json-rpc.js';
import { createMemoryLogger } from '../../../../main/platform/logger.js';

const logger = createMemoryLogger();
const dispatcher = new RpcDispatcher(
  {
    'test.echo': defineMethod({
      params: z.object({ text: z.string().max(10) }),
      handle: (params) => Promise.resolve({ echoed: params.text }),
    }),
    'test.refuse': defineMethod({
      params: z.object({}),
      handle: () => Promise.reject(new RpcError(-32001, 'Not paired.', { code: 'NOT_PAIRED' })),
    }),
    'test.crash': defineMethod({
      params: z.object({}),
      handle: () => Promise.reject(new Error('secret internal detail')),
    }),
  },
  logger,
);
const connection: RpcConnection = { id: 1, state: new Map(), closed: new AbortController().signal, notify: () => undefined };
const call = (body: string | Buffer) =>
  dispatcher.dispatch(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), connection);

describe('RpcDispatcher', () => {
  it('answers a valid request with its result and id', async () => {
    expect(await call('{"jsonrpc":"2.0","id":7,"method":"test.echo","params":{"text":"hi"}}')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: { echoed: 'hi' },
    });
  });

  it('answers a parse error for invalid JSON and for invalid UTF-8', async () => {
    expect(await call('{"jsonrpc":')).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await call(Buffer.from([0x22, 0xc3, 0x28, 0x22]))).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it('refuses batches and non-request objects', async () => {
    expect(await call('[{"jsonrpc":"2.0","id":1,"method":"test.echo"}]')).toMatchObject({ error: { code: -32600 } });
    expect(await call('{"id":3,"method":"test.echo"}')).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(await call('42')).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('says which method does not exist, including names on Object.prototype', async () => {
    expect(await call('{"jsonrpc":"2.0","id":1,"method":"nope"}')).toMatchObject({
      error: { code: -32601, message: 'Method "nope" does not exist.' },
    });
    expect(await call('{"jsonrpc":"2.0","id":2,"method":"toString"}')).toMatchObject({ error: { code: -32601 } });
  });

  it('validates params and names the field that is wrong', async () => {
    const response = await call('{"jsonrpc":"2.0","id":1,"method":"test.echo","params":{"text":"far too long text"}}');
    expect(response).toMatchObject({ error: { code: -32602 } });
    expect(JSON.stringify(response)).toContain('at \\"text\\"');
  });

  it('sends no response to a notification', async () => {
    expect(await call('{"jsonrpc":"2.0","method":"test.echo","params":{"text":"hi"}}')).toBeNull();
  });

  it('passes typed errors through with their data', async () => {
    expect(await call('{"jsonrpc":"2.0","id":"a","method":"test.refuse"}')).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      error: { code: -32001, message: 'Not paired.', data: { code: 'NOT_PAIRED' } },
    });
  });

  it('hides unexpected failures behind "internal error" and logs them', async () => {
    const response = await call('{"jsonrpc":"2.0","id":1,"method":"test.crash"}');
    expect(response).toMatchObject({ error: { code: -32603, message: 'Internal error in Signing Companion.' } });
    expect(JSON.stringify(response)).not.toContain('secret');
    expect(logger.lines.some((l) => l.event === 'rpc.handler_failed' && String(l.fields.error).includes('secret'))).toBe(true);
  });
});
