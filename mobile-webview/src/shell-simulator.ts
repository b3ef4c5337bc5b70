/**
 * A reference native shell, for tests: it speaks the native side of the webview bridge
 * (@binge/core/protocol/webview-bridge) exactly as the Kotlin and Swift snippets in README.md do:
 * it decodes what the page posts, answers each request once, sends events, and logs the page's
 * refusal notices. It runs in Node; how its text reaches the page (Playwright's `page.evaluate`,
 * a fake window) is the caller's `deliver`.
 *
 * It is a simulator of the shell, not of the page: nothing here is used by the web client.
 */
import {
  checkEvent,
  checkResult,
  decodePageMessage,
  encodeEvent,
  encodeFailure,
  encodeSuccess,
  type BridgeEventName,
  type BridgeEventPayloads,
  type BridgeFailure,
  type BridgeRequest,
  type RefusedNotice,
  type RequestKind,
  type RequestPayloads,
  type RequestResults,
} from '@binge/core/protocol/webview-bridge';

/** Thrown by a handler to answer `{ok:false, error:{code, message}}`, like a native failure. */
export class ShellFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ShellFailure';
    this.code = code;
  }
}

export type ShellHandlers = {
  [K in RequestKind]: (
    payload: RequestPayloads[K],
    request: BridgeRequest,
  ) => RequestResults[K] | Promise<RequestResults[K]>;
};

export type ShellPlatform = 'android' | 'ios';

export interface ShellSimulatorOptions {
  platform: ShellPlatform;
  /** Hands one JSON text to the page (what `evaluateJavascript` does on a device). */
  deliver(text: string): void | Promise<void>;
  /** Replaces the default answers per kind; a kind set to null is unknown to this shell. */
  handlers?: Partial<{ [K in RequestKind]: ShellHandlers[K] | null }>;
}

export interface ShellSimulator {
  readonly platform: ShellPlatform;
  /** Requests the page sent, decoded and valid, in order. */
  readonly requests: BridgeRequest[];
  /** What the page refused of ours, as it told us. */
  readonly refusals: RefusedNotice['refused'][];
  /** Page messages this shell could not decode (a page bug), with the code it answered. */
  readonly malformed: BridgeFailure[];
  /** What the page posted; call it from the JavaScript interface / message handler. */
  receive(message: unknown): Promise<void>;
  /** Sends an event; the payload is checked first, as a real shell should. */
  emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayloads[E]): Promise<void>;
  /** Sends any text, well-formed or not: how tests play a buggy or hostile native side. */
  sendRaw(text: string): Promise<void>;
}

function defaultHandlers(platform: ShellPlatform): ShellHandlers {
  let receipts = 0;
  const store = platform === 'ios' ? 'apple' : 'google';
  return {
    purchase: (payload) => {
      receipts += 1;
      const receipt = `${store}-sim-receipt-${receipts}`;
      return payload.orderRef
        ? { status: 'purchased', store, receipt, orderId: payload.orderRef }
        : { status: 'purchased', store, receipt };
    },
    share: () => ({ status: 'shared' }),
    networkType: () => ({ type: 'wifi' }),
    haptic: () => ({ status: 'performed' }),
    // The insets of an iPhone 15 in portrait, and of an Android phone with a status bar and
    // gesture navigation, in CSS pixels.
    safeArea: () =>
      platform === 'ios'
        ? { top: 59, right: 0, bottom: 34, left: 0 }
        : { top: 24, right: 0, bottom: 16, left: 0 },
  };
}

export function createShellSimulator(options: ShellSimulatorOptions): ShellSimulator {
  const handlers: Partial<{ [K in RequestKind]: ShellHandlers[K] | null }> = {
    ...defaultHandlers(options.platform),
    ...options.handlers,
  };
  const requests: BridgeRequest[] = [];
  const refusals: RefusedNotice['refused'][] = [];
  const malformed: BridgeFailure[] = [];

  async function answer(request: BridgeRequest): Promise<void> {
    const handler = handlers[request.kind] as
      ((payload: unknown, request: BridgeRequest) => unknown) | null | undefined;
    if (!handler) {
      await options.deliver(
        encodeFailure(request.id, {
          code: 'UNKNOWN_KIND',
          message: `this shell does not implement ${request.kind}`,
        }),
      );
      return;
    }
    let result: unknown;
    try {
      result = await handler(request.payload, request);
    } catch (error) {
      const failure =
        error instanceof ShellFailure
          ? { code: error.code, message: error.message }
          : { code: 'NATIVE_ERROR', message: String(error) };
      await options.deliver(encodeFailure(request.id, failure));
      return;
    }
    const invalid = checkResult(request.kind, result);
    if (invalid) throw new Error(`the simulator's ${request.kind} handler: ${invalid.message}`);
    await options.deliver(encodeSuccess(request.id, request.kind, result as never));
  }

  return {
    platform: options.platform,
    requests,
    refusals,
    malformed,
    async receive(message) {
      const decoded = decodePageMessage(message);
      if (!decoded.ok) {
        malformed.push(decoded);
        if (decoded.re !== undefined) {
          await options.deliver(
            encodeFailure(decoded.re, { code: decoded.code, message: decoded.message }),
          );
        }
        return;
      }
      if (decoded.message.type === 'refused') {
        refusals.push(decoded.message.refused);
        return;
      }
      requests.push(decoded.message.request);
      await answer(decoded.message.request);
    },
    async emit(event, payload) {
      const invalid = checkEvent(event, payload);
      if (invalid) throw new Error(`event ${event}: ${invalid.message}`);
      await options.deliver(encodeEvent(event, payload));
    },
    async sendRaw(text) {
      await options.deliver(text);
    },
  };
}
