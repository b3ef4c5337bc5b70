/**
 * The one wire encoding of bus messages (JSON), shared by every adapter so that the in-process
 * bus refuses exactly what Redis could not carry, and a subscriber always gets its own copy.
 */
export class InvalidBusMessageError extends Error {
  readonly code = 'INVALID_BUS_MESSAGE';
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`Invalid bus message on "${topic}": ${reason}`);
    this.name = 'InvalidBusMessageError';
  }
}

export class InvalidBusTopicError extends Error {
  readonly code = 'INVALID_BUS_TOPIC';
  constructor(readonly topic: string) {
    super(`Invalid bus topic: ${JSON.stringify(topic)}`);
    this.name = 'InvalidBusTopicError';
  }
}

/** Topics are non-empty strings without control characters, matched literally (SUBSCRIBE, not PSUBSCRIBE). */
export function validateTopic(topic: string): string {
  if (
    typeof topic !== 'string' ||
    topic.length === 0 ||
    topic.length > 256 ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(topic)
  ) {
    throw new InvalidBusTopicError(topic);
  }
  return topic;
}

export function encodeBusMessage(topic: string, message: unknown): string {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(message);
  } catch (error) {
    throw new InvalidBusMessageError(topic, (error as Error).message);
  }
  if (encoded === undefined) throw new InvalidBusMessageError(topic, 'not JSON-serialisable');
  return encoded;
}

export function decodeBusMessage(encoded: string): unknown {
  return JSON.parse(encoded);
}
