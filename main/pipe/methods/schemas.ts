import { z } from 'zod';
import { PIPE_ERRORS } from '../error-codes.js';
import { HelloParams } from './hello.js';
import { SignParams } from '../../signing/sign-request.js';
import { PairParams } from './pair.js';
import { SignInParams } from './sign-in.js';

/** Every method's params schema, by method name: the source of docs/protocol/*.schema.json. */
export const METHOD_PARAMS: Record<string, z.ZodType> = {
  'companion.hello': HelloParams,
  'companion.pair': PairParams,
  'session.getStatus': z.object({}).strict(),
  'session.signIn': SignInParams,
  'signing.sign': SignParams,
};

/** The JSON Schema documents published in docs/protocol/, generated from the schemas the server uses. */
export function protocolSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [method, schema] of Object.entries(METHOD_PARAMS)) {
    // As input: what a client may send (unknown keys are ignored by the server, so they are allowed here too).
    out[`${method}.params.schema.json`] = { title: `${method} params`, ...z.toJSONSchema(schema, { io: 'input' }) };
  }
  out['errors.json'] = Object.fromEntries(Object.entries(PIPE_ERRORS).map(([name, e]) => [name, { code: e.code, message: e.message }]));
  return out;
}
