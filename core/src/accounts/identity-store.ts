/**
 * Sign-in methods of accounts (`auth_identities`): a phone number in E.164, or a third-party
 * subject (WeChat unionid, else openid; Weibo uid). A method belongs to one account; an account
 * has at most one method per provider. A guest account has none until it signs in with one, which
 * upgrades it in place (its id, and so its progress, likes and unlocks, carry over).
 *
 * Implementation: identity-store-sql.ts; tests in identity-store.test.ts run against PGlite and
 * PostgreSQL.
 */
export const identityProviders = ['phone', 'wechat', 'weibo'] as const;
export type IdentityProvider = (typeof identityProviders)[number];

export function isIdentityProvider(value: unknown): value is IdentityProvider {
  return typeof value === 'string' && (identityProviders as readonly string[]).includes(value);
}

export interface IdentityRecord {
  provider: IdentityProvider;
  subject: string;
  linkedAt: Date;
  lastUsedAt: Date;
}

export interface AccountIdentities {
  isGuest: boolean;
  /** Oldest first. */
  identities: IdentityRecord[];
}

/** Names of an account created by a sign-in; drawn again when the handle is taken. */
export interface NewAccount {
  handle: string;
  displayName: string;
}

export interface SignInOutcome {
  userId: number;
  /** A new account was made for this method. */
  created: boolean;
  /** The guest account named in the request was upgraded: the method is linked to it now. */
  upgradedGuest: boolean;
}

export type LinkOutcome =
  /** Linked now (replacing the account's earlier method of this provider, if any). */
  | 'linked'
  /** It already was this account's. */
  | 'unchanged'
  /** It signs in to another account. */
  | 'taken';

export type UnlinkOutcome = 'unlinked' | 'not_linked' | 'last_method';

export interface IdentityStore {
  /**
   * The account `provider`/`subject` signs in to, in this order: the account it is linked to;
   * else `guestUserId`'s account if that is still a guest (it is upgraded: the method is linked
   * and it stops being a guest); else a new non-guest account made from `newAccount()`.
   */
  signIn(input: {
    provider: IdentityProvider;
    subject: string;
    guestUserId: number | null;
    newAccount: () => NewAccount;
    now: Date;
  }): Promise<SignInOutcome>;
  /** Adds a method to a signed-in account (also upgrading a guest). */
  link(
    userId: number,
    provider: IdentityProvider,
    subject: string,
    now: Date,
  ): Promise<LinkOutcome>;
  /** Removes the account's method of `provider`, unless it is the last one. */
  unlink(userId: number, provider: IdentityProvider): Promise<UnlinkOutcome>;
  /** The account's methods and whether it is a guest; null when there is no such account. */
  list(userId: number): Promise<AccountIdentities | null>;
}
