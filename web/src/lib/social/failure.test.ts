import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeError } from '@binge/core/protocol/realtime-client/client';
import { ApiProblem, parseProblem } from '../api/api-problem.ts';
import { failureOf } from './failure.ts';

test('an API problem keeps its code and detail; 5xx and 429 are worth a retry', () => {
  const problem = new ApiProblem(
    parseProblem(
      404,
      JSON.stringify({
        code: 'PROVIDER_NOT_FOUND',
        title: 'Not found',
        status: 404,
        detail: 'Sign-in with wechat is not available',
      }),
    ),
  );
  assert.deepEqual(failureOf(problem), {
    code: 'PROVIDER_NOT_FOUND',
    detail: 'Sign-in with wechat is not available',
    transient: false,
  });
  assert.equal(failureOf(new ApiProblem(parseProblem(503, '<html>'))).transient, true);
  assert.equal(failureOf(new ApiProblem(parseProblem(429, '{}'))).code, 'HTTP_429');
});

test('a gateway error is named by its protocol code, a client-side one by its kind', () => {
  const blocked = new RealtimeError('server', 'blocked', { code: 120 });
  assert.equal(failureOf(blocked).code, 'BLOCKED');
  assert.equal(failureOf(blocked).transient, false);
  const timeout = new RealtimeError('timeout', 'no reply within 10000 ms');
  assert.deepEqual(failureOf(timeout), {
    code: 'REALTIME_TIMEOUT',
    detail: 'no reply within 10000 ms',
    transient: true,
  });
});

test('anything else is a client error with its message', () => {
  assert.deepEqual(failureOf(new TypeError('x is undefined')), {
    code: 'CLIENT_ERROR',
    detail: 'x is undefined',
    transient: false,
  });
});
