/**
 * A structural pre-scan of MessagePack bytes (format spec: github.com/msgpack/msgpack/blob/master/
 * spec.md), run before @msgpack/msgpack decodes anything. The decoder has length limits but no
 * depth limit, so this walk guards depth, and on the way refuses everything the protocol never
 * uses. It allocates nothing per element and reads each byte once, so hostile input costs at most
 * one pass over a frame already capped in size.
 *
 * Refused: the reserved byte 0xc1; bin and ext types (the protocol carries neither, and ext -1
 * would decode to a Date); map keys that are not strings; truncation; bytes after the root value;
 * nesting deeper than `maxDepth`; a container declaring more elements than bytes remain.
 */

export type ScanResult = { ok: true } | { ok: false; reason: 'malformed' | 'tooDeep' };

const malformed: ScanResult = { ok: false, reason: 'malformed' };
const tooDeep: ScanResult = { ok: false, reason: 'tooDeep' };
const fine: ScanResult = { ok: true };

export function scanMsgpack(bytes: Uint8Array, maxDepth: number): ScanResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  // Elements still to read in each open container; a map counts keys and values (2 per entry).
  const remaining: number[] = [];
  const isMap: boolean[] = [];
  let pos = 0;
  let root = true;

  while (root || remaining.length > 0) {
    if (pos >= end) return malformed;
    const depth = remaining.length;
    const expectKey = depth > 0 && isMap[depth - 1]! && remaining[depth - 1]! % 2 === 0;
    const head = bytes[pos]!;
    pos += 1;

    let skip = 0;
    let children = -1;
    let map = false;
    let isString = false;

    if (head <= 0x7f || head >= 0xe0) skip = 0;
    else if (head <= 0x8f) [children, map] = [(head & 0x0f) * 2, true];
    else if (head <= 0x9f) children = head & 0x0f;
    else if (head <= 0xbf) [skip, isString] = [head & 0x1f, true];
    else {
      switch (head) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xca:
          skip = 4;
          break;
        case 0xcb:
          skip = 8;
          break;
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xd9:
          if (pos + 1 > end) return malformed;
          [skip, isString] = [view.getUint8(pos), true];
          pos += 1;
          break;
        case 0xda:
          if (pos + 2 > end) return malformed;
          [skip, isString] = [view.getUint16(pos), true];
          pos += 2;
          break;
        case 0xdb:
          if (pos + 4 > end) return malformed;
          [skip, isString] = [view.getUint32(pos), true];
          pos += 4;
          break;
        case 0xdc:
          if (pos + 2 > end) return malformed;
          children = view.getUint16(pos);
          pos += 2;
          break;
        case 0xdd:
          if (pos + 4 > end) return malformed;
          children = view.getUint32(pos);
          pos += 4;
          break;
        case 0xde:
          if (pos + 2 > end) return malformed;
          [children, map] = [view.getUint16(pos) * 2, true];
          pos += 2;
          break;
        case 0xdf:
          if (pos + 4 > end) return malformed;
          [children, map] = [view.getUint32(pos) * 2, true];
          pos += 4;
          break;
        default:
          // 0xc1 (never used), bin 0xc4–0xc6, ext 0xc7–0xc9 and fixext 0xd4–0xd8.
          return malformed;
      }
    }

    if (expectKey && !isString) return malformed;
    if (pos + skip > end) return malformed;
    pos += skip;

    if (children >= 0) {
      if (depth + 1 > maxDepth) return tooDeep;
      // Every element takes at least one byte, so a longer declaration is truncated input.
      if (children > end - pos) return malformed;
    }

    // The value just read completes one element of its parent.
    root = false;
    if (depth > 0) remaining[depth - 1]! -= 1;
    if (children > 0) {
      remaining.push(children);
      isMap.push(map);
    }
    while (remaining.length > 0 && remaining[remaining.length - 1] === 0) {
      remaining.pop();
      isMap.pop();
    }
  }
  return pos === end ? fine : malformed;
}
