import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanDeviceName, deviceNameFromUserAgent, deviceNameOf } from './device-name.ts';

test('common user agents become a recognisable name', () => {
  const cases: Array<[string, string]> = [
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      'Chrome on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari on iPhone',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
      'WeChat on iPhone',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0',
      'Firefox on macOS',
    ],
    ['binge-ios/1.4.0 (iPhone15,2)', 'binge app (ios)'],
    ['curl/8.5.0', 'Unknown device'],
  ];
  for (const [ua, name] of cases) assert.equal(deviceNameFromUserAgent(ua), name, ua);
  assert.equal(deviceNameFromUserAgent(undefined), 'Unknown device');
  assert.equal(deviceNameFromUserAgent(''), 'Unknown device');
});

test('a given name is cleaned, and wins over the user agent', () => {
  assert.equal(cleanDeviceName('  Mei’s\tiPhone \n'), 'Mei’s iPhone');
  assert.equal(cleanDeviceName('\u0000\u200b'), null);
  assert.equal(cleanDeviceName('手机'.repeat(40))?.length, 64);
  assert.equal(deviceNameOf('Living-room TV', 'curl/8'), 'Living-room TV');
  assert.equal(deviceNameOf('   ', 'binge-android/2.0'), 'binge app (android)');
  assert.equal(deviceNameOf(undefined, undefined), 'Unknown device');
  assert.equal(deviceNameOf('<b>x</b>', undefined), '<b>x</b>', 'text, never HTML');
});
