/**
 * The one registry of HTTP API error codes. Browser-safe: the web client imports it to branch on
 * `Problem.code`. Every code is documented in docs/errors.md (a test keeps the two in step) and
 * listed in the API's OpenAPI document.
 */
export const errorRegistry = {
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the expected shape' },
  BAD_REQUEST: { status: 400, title: 'The request could not be understood' },
  INVALID_CURSOR: { status: 400, title: 'The page cursor is malformed or was not issued here' },
  INVALID_ID: { status: 400, title: 'The id is not a positive 32-bit integer' },
  PAGE_SIZE_OUT_OF_RANGE: { status: 400, title: 'The page size is out of range' },
  MEDIA_PATH_INVALID: { status: 400, title: 'The media path is not a valid storage key' },
  INVALID_DANMU_WINDOW: { status: 400, title: 'The danmu window is empty, reversed or too long' },
  CANNOT_BLOCK_SELF: { status: 400, title: 'A user cannot block themselves' },
  INVALID_ENGAGEMENT_TARGET: {
    status: 400,
    title: 'This kind of engagement cannot name that target',
  },
  CANNOT_FOLLOW_SELF: { status: 400, title: 'A user cannot follow themselves' },
  CANNOT_REPORT_SELF: {
    status: 400,
    title: 'A user cannot report themselves or their own content',
  },
  INVALID_MODERATION_ACTION: {
    status: 400,
    title: 'This moderation action does not apply to that target',
  },
  HLC_CLOCK_DRIFT: { status: 400, title: 'The HLC stamp is too far ahead of the server clock' },
  PHONE_INVALID: { status: 400, title: 'The phone number is not a valid E.164 number' },
  SMS_CODE_INVALID: { status: 400, title: 'The sign-in code is wrong, expired or used' },
  OAUTH_STATE_INVALID: { status: 400, title: 'The OAuth state is unknown, expired or used' },
  IMAGE_INVALID: { status: 400, title: 'The upload is not a supported image' },
  REPLY_TARGET_INVALID: { status: 400, title: 'The comment replied to is not on this episode' },
  AUTH_REQUIRED: { status: 401, title: 'Sign-in is required' },
  SESSION_INVALID: { status: 401, title: 'The session token is not valid' },
  SESSION_EXPIRED: { status: 401, title: 'The session token has expired' },
  SESSION_REVOKED: { status: 401, title: 'The session was signed out or revoked' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'The refresh token is not valid' },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    title: 'The refresh token was already used; its session is revoked',
  },
  EPISODE_LOCKED: { status: 402, title: 'The episode must be unlocked first' },
  FORBIDDEN: { status: 403, title: 'You may not act on this resource' },
  ADMIN_REQUIRED: { status: 403, title: 'Only moderators may do this' },
  ACCOUNT_BANNED: { status: 403, title: 'The account is banned' },
  MEDIA_TOKEN_INVALID: { status: 403, title: 'The media token is invalid for this path' },
  MEDIA_TOKEN_EXPIRED: { status: 403, title: 'The media token has expired' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  CATEGORY_NOT_FOUND: { status: 404, title: 'No such category' },
  SERIES_NOT_FOUND: { status: 404, title: 'No such series' },
  EPISODE_NOT_FOUND: { status: 404, title: 'No such episode' },
  USER_NOT_FOUND: { status: 404, title: 'No such user' },
  ROOM_NOT_FOUND: { status: 404, title: 'No such chat room' },
  KEY_NOT_FOUND: { status: 404, title: 'No such content key for this episode' },
  MEDIA_NOT_FOUND: { status: 404, title: 'No such media file' },
  PROVIDER_NOT_FOUND: { status: 404, title: 'No such sign-in provider is configured' },
  SESSION_NOT_FOUND: { status: 404, title: 'No such session of this account' },
  COMMENT_NOT_FOUND: { status: 404, title: 'No such comment' },
  REVIEW_NOT_FOUND: { status: 404, title: 'No such review' },
  SHARE_NOT_FOUND: { status: 404, title: 'No such share link' },
  REPORT_NOT_FOUND: { status: 404, title: 'No such report' },
  TARGET_NOT_FOUND: { status: 404, title: 'The content named does not exist' },
  TASK_NOT_FOUND: { status: 404, title: 'No such task' },
  REWARD_NOT_FOUND: { status: 404, title: 'No such reward' },
  VOUCHER_NOT_FOUND: { status: 404, title: 'No such voucher' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed on this resource' },
  EPISODE_NOT_READY: { status: 409, title: 'The episode media is not ready yet' },
  IDENTITY_TAKEN: { status: 409, title: 'This sign-in method belongs to another account' },
  LAST_SIGN_IN_METHOD: { status: 409, title: 'The only sign-in method cannot be removed' },
  ALREADY_CHECKED_IN: { status: 409, title: 'Already checked in today' },
  TASK_NOT_COMPLETED: { status: 409, title: 'The task is not completed yet' },
  TASK_ALREADY_CLAIMED: { status: 409, title: 'The task reward was already claimed today' },
  INSUFFICIENT_POINTS: { status: 409, title: 'Not enough points' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    title: 'The idempotency key was used for a different request',
  },
  COMMENT_GONE: { status: 409, title: 'The comment was deleted or hidden' },
  REPORT_ALREADY_RESOLVED: { status: 409, title: 'The report was already resolved' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body media type is not supported' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The requested range is not satisfiable' },
  TEXT_BLOCKED: { status: 422, title: 'The text contains blocked words' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SIGN_IN_LOCKED: { status: 429, title: 'Too many failed sign-in attempts; locked for a while' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  OAUTH_PROVIDER_ERROR: { status: 502, title: 'The sign-in provider failed' },
  SMS_SEND_FAILED: { status: 502, title: 'The sign-in code could not be sent' },
  NOT_READY: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorRegistry, value);
}

/** The RFC 9457 `type` URI of a code: `EPISODE_NOT_FOUND` → `https://binge.dev/problems/episode-not-found`. */
export function problemType(code: ErrorCode): string {
  return `https://binge.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}
