import { type z } from 'zod';
import type {
  UiEventMap,
  UiEventName,
  UiInvokeChannel,
  UiInvokeMap,
  UiResult,
} from '../../preload/contract.js';
import { describeError } from '../errors.js';
import type { Logger } from '../platform/logger.js';

/**
 * The core's side of the UI contract, shared by both hosts.
 *
 * Electron's IPC handlers and the headless WebSocket both pass what the page sent straight here: the
 * channel is checked against the contract and the arguments against a schema, so neither host can forget.
 */
export type UiHandlers = {
  [C in UiInvokeChannel]: (...args: UiInvokeMap[C]['args']) => Promise<UiInvokeMap[C]['result']>;
};

export type UiArgSchemas = { [C in UiInvokeChannel]: z.ZodType<UiInvokeMap[C]['args']> };

export type UiEventListener = <E extends UiEventName>(event: E, payload: UiEventMap[E]) => void;

export interface UiEvents {
  subscribe(listener: UiEventListener): () => void;
}

export class UiBridge {
  constructor(
    private readonly handlers: UiHandlers,
    private readonly schemas: UiArgSchemas,
    private readonly events: UiEvents,
    private readonly logger: Logger,
  ) {}

  public async invoke(channel: unknown, args: unknown): Promise<UiResult<unknown>> {
    if (typeof channel !== 'string' || !Object.hasOwn(this.handlers, channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'The window asked for something that does not exist.' } };
    }
    const name = channel as UiInvokeChannel;
    const parsed = this.schemas[name].safeParse(args);
    if (!parsed.success) {
      this.logger.warn('ui.invalid_arguments', { channel: name });
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'The window sent a request the companion does not accept.' } };
    }
    try {
      const handler = this.handlers[name] as (...a: unknown[]) => Promise<unknown>;
      return { ok: true, value: await handler(...(parsed.data as unknown[])) };
    } catch (err) {
      const described = describeError(err);
      if (described.code === 'INTERNAL') {
        this.logger.error('ui.handler_failed', { channel: name, error: String(err) });
      }
      return { ok: false, error: described };
    }
  }

  public subscribe(listener: UiEventListener): () => void {
    return this.events.subscribe(listener);
  }
}
