import type { SessionOrigin } from '@binge/core/accounts/session-store';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { AppError } from '../errors/app-error.ts';
import type { SessionIssuer } from './session-issuer.ts';
import type { UserRepository } from './user-repository.ts';

/**
 * The last step of every sign-in that found or made an account (phone, OAuth): a banned account
 * gets no session (403 ACCOUNT_BANNED, with the reason), any other a new one.
 */
export async function startSessionFor(
  deps: { users: UserRepository; issuer: SessionIssuer },
  userId: number,
  origin: SessionOrigin,
): Promise<AuthSession> {
  const account = await deps.users.findAccount(userId);
  if (account === null) throw new Error(`account ${userId} vanished during sign-in`);
  if (account.bannedAt !== null) {
    const reason = account.banReason ? `: ${account.banReason}` : '';
    throw new AppError('ACCOUNT_BANNED', `The account ${userId} is banned${reason}`);
  }
  return deps.issuer.start(account.user, origin);
}
