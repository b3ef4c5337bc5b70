import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiProblem, networkProblem, parseProblem } from './api-problem.ts';

test('parses an RFC 9457 problem body and keeps extension members', () => {
  const problem = parseProblem(
    402,
    JSON.stringify({
      type: 'https://binge.dev/problems/episode-locked',
      title: 'Episode locked',
      status: 402,
      code: 'EPISODE_LOCKED',
      detail: 'Episode 4 costs 30 coins',
      priceCoins: 30,
    }),
  );
  assert.equal(problem.code, 'EPISODE_LOCKED');
  assert.equal(problem.title, 'Episode locked');
  assert.equal(problem.status, 402);
  assert.equal(problem.detail, 'Episode 4 costs 30 coins');
  assert.equal(problem.priceCoins, 30);
});

test('fills a missing code and title from the HTTP status', () => {
  const problem = parseProblem(404, JSON.stringify({ message: 'nope' }));
  assert.equal(problem.code, 'HTTP_404');
  assert.equal(problem.title, 'Not found');
  assert.equal(problem.status, 404);
  assert.equal(problem.type, 'about:blank');
});

test('turns an HTML error page into a coded problem without leaking markup', () => {
  const problem = parseProblem(502, '<html><body>Bad Gateway</body></html>');
  assert.equal(problem.code, 'HTTP_502');
  assert.equal(problem.title, 'Bad gateway');
  assert.equal(problem.detail, undefined);
});

test('keeps short plain text as the detail', () => {
  const problem = parseProblem(500, 'database unavailable');
  assert.equal(problem.detail, 'database unavailable');
  assert.equal(problem.title, 'Server error');
});

test('a JSON array or null body is not a problem object', () => {
  assert.equal(parseProblem(500, '[1,2]').code, 'HTTP_500');
  assert.equal(parseProblem(418, 'null').title, 'HTTP 418');
});

test('ApiProblem exposes status and code', () => {
  const error = new ApiProblem(
    parseProblem(
      409,
      JSON.stringify({ code: 'EPISODE_NOT_READY', title: 'Not ready', status: 409 }),
    ),
  );
  assert.equal(error.status, 409);
  assert.equal(error.code, 'EPISODE_NOT_READY');
  assert.match(error.message, /EPISODE_NOT_READY/);
});

test('a network failure becomes NETWORK_ERROR', () => {
  const problem = networkProblem(new TypeError('fetch failed'));
  assert.equal(problem.code, 'NETWORK_ERROR');
  assert.equal(problem.detail, 'fetch failed');
});
