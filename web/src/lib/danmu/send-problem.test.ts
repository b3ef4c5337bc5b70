import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeError } from '@binge/core/protocol/realtime-client/client';
import { errorCode, type ErrorCodeName } from '@binge/core/protocol/realtime/codes';
import { checkDraft, sendProblem } from './send-problem.ts';

test('drafts are cleaned by the protocol text policy', () => {
  assert.deepEqual(checkDraft('  so   good\n'), { ok: true, text: 'so good' });
  assert.deepEqual(checkDraft('   '), { ok: false, problem: { key: 'empty', code: 'TEXT_EMPTY' } });
  assert.deepEqual(checkDraft('好'.repeat(101)), {
    ok: false,
    problem: { key: 'tooLong', code: 'TEXT_TOOLONG' },
  });
  assert.equal(checkDraft('好'.repeat(100)).ok, true);
  assert.deepEqual(checkDraft('<b>hi</b>'), {
    ok: false,
    problem: { key: 'markup', code: 'TEXT_MARKUP' },
  });
  assert.deepEqual(checkDraft('a\u202Eb'), {
    ok: false,
    problem: { key: 'badCharacters', code: 'TEXT_BIDI' },
  });
});

test('gateway refusals map to messages with their code', () => {
  const server = (name: ErrorCodeName) =>
    new RealtimeError('server', 'refused', { code: errorCode(name) });
  assert.deepEqual(sendProblem(server('RATE_LIMITED')), {
    key: 'rateLimited',
    code: 'RATE_LIMITED',
  });
  assert.deepEqual(sendProblem(server('TEXT_REJECTED')), {
    key: 'textRejected',
    code: 'TEXT_REJECTED',
  });
  assert.deepEqual(sendProblem(server('BLOCKED')), { key: 'muted', code: 'BLOCKED' });
  assert.deepEqual(sendProblem(server('UNAUTHORIZED')), { key: 'signIn', code: 'UNAUTHORIZED' });
  assert.deepEqual(sendProblem(server('NOT_FOUND')), { key: 'notFound', code: 'NOT_FOUND' });
  assert.deepEqual(sendProblem(new RealtimeError('deadline', 'late')), {
    key: 'offline',
    code: 'DEADLINE',
  });
  assert.deepEqual(sendProblem(new Error('x')), { key: 'failed', code: 'CLIENT_ERROR' });
});
