import type { preValidationAsyncHookHandler } from 'fastify';

/**
 * A POST sent without a body is one with an empty object: the sign-in routes' fields are all
 * optional (`deviceName`), and a client that has nothing to say need not invent a JSON body.
 */
export const emptyBody: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {};
};
