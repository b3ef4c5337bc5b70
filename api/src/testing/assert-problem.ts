import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

/** Asserts an RFC 9457 problem response with this status and registry code. */
export function assertProblem(response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem.code, code, response.body);
  assert.equal(problem.status, status);
  assert.match(problem.type, /^https:\/\/binge\.dev\/problems\/[a-z-]+$/);
  assert.equal(problem.instance, response.raw.req.url);
}
