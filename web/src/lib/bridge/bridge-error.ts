import type { BridgeErrorCode } from '@binge/core/protocol/webview-bridge';

/**
 * A bridge failure with a code: one of the protocol's codes (`bridgeErrorCodes`), or a code the
 * native shell chose for its own failure (then `fromNative` is true).
 */
export class BridgeError extends Error {
  readonly code: BridgeErrorCode | (string & {});
  readonly fromNative: boolean;

  constructor(code: BridgeErrorCode | (string & {}), message: string, fromNative = false) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.fromNative = fromNative;
  }
}
