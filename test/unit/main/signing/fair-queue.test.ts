import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../../../main/signing/fair-queue.js';

function drain(queue: FairQueue<string>): string[] {
  const out: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    out.push(item);
  }
  return out;
}

describe('FairQueue', () => {
  it('takes clients in turn, each in its own order', () => {
    const queue = new FairQueue<string>(10);
    for (const item of ['a1', 'a2', 'a3']) {
      queue.push('a', item);
    }
    queue.push('b', 'b1');
    queue.push('c', 'c1');
    queue.push('c', 'c2');
    expect(drain(queue)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  });

  it('puts a newcomer ahead of a client just served', () => {
    const queue = new FairQueue<string>(10);
    queue.push('a', 'a1');
    queue.push('a', 'a2');
    expect(queue.shift()).toBe('a1');
    queue.push('b', 'b1');
    expect(queue.positionOf('b1')).toBe(0);
    expect(queue.positionOf('a2')).toBe(1);
    expect(drain(queue)).toEqual(['b1', 'a2']);
  });

  it('refuses a client past its limit without affecting others', () => {
    const queue = new FairQueue<string>(2);
    expect(queue.push('a', 'a1')).toBe(true);
    expect(queue.push('a', 'a2')).toBe(true);
    expect(queue.push('a', 'a3')).toBe(false);
    expect(queue.push('b', 'b1')).toBe(true);
    expect(queue.size).toBe(3);
  });

  it('removes a cancelled item, and reports it no longer waiting', () => {
    const queue = new FairQueue<string>(5);
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    expect(queue.remove('a', 'a1')).toBe(true);
    expect(queue.remove('a', 'a1')).toBe(false);
    expect(queue.positionOf('a1')).toBe(-1);
    expect(queue.positionOf('b1')).toBe(0);
    expect(drain(queue)).toEqual(['b1']);
  });

  it('predicts positions that the real order then follows', () => {
    const queue = new FairQueue<string>(10);
    const items = ['a1', 'a2', 'b1', 'c1', 'b2', 'a3'];
    for (const item of items) {
      queue.push(item[0]!, item);
    }
    const predicted = items.map((item) => [item, queue.positionOf(item)] as const).sort((x, y) => x[1] - y[1]).map(([item]) => item);
    expect(drain(queue)).toEqual(predicted);
  });
});
