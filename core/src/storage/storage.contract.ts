import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { InvalidStorageKeyError, type Storage } from './storage.ts';

export interface StorageFixture {
  storage: Storage;
  /** Every file path under the store's root, to prove a refused key touched nothing. */
  snapshot(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const badKeys = [
  '',
  '..',
  '.',
  '../x',
  'a/../../etc/passwd',
  'a/./b',
  '/etc/passwd',
  'a\\b',
  '..\\..\\x',
  'a//b',
  'a/',
  'a\u0000b',
  'a\nb',
  'x'.repeat(1025),
];

/** One suite for every Storage adapter. */
export function storageContract(name: string, makeStorage: () => Promise<StorageFixture>): void {
  describe(`storage contract: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: Storage;
    before(async () => {
      fixture = await makeStorage();
      storage = fixture.storage;
    });
    after(() => fixture.cleanup());

    test('put then stat, read and readBuffer return the same bytes', async () => {
      const body = Buffer.from('第一集 episode one\n');
      await storage.put('series/1/ep1.txt', body);
      const info = await storage.stat('series/1/ep1.txt');
      assert.ok(info);
      assert.equal(info.size, body.length);
      assert.ok(info.mtimeMs > 0);
      assert.match(info.etag, /^"[0-9a-f-]+"$/);
      assert.deepEqual(await storage.readBuffer('series/1/ep1.txt'), body);
      assert.equal(await text(storage.read('series/1/ep1.txt')), body.toString());
    });

    test('put accepts a stream', async () => {
      await storage.put('streamed/a.bin', Readable.from([Buffer.from('abc'), Buffer.from('def')]));
      assert.equal((await storage.readBuffer('streamed/a.bin')).toString(), 'abcdef');
    });

    test('a failing stream leaves no object behind', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('source broke'));
        },
      });
      await assert.rejects(storage.put('broken/x.bin', failing), /source broke/);
      assert.equal(await storage.stat('broken/x.bin'), null);
      assert.deepEqual(await storage.list('broken/'), []);
    });

    test('putFile copies a local file', async () => {
      const source = storage.localPath('series/1/ep1.txt');
      if (source === null) return;
      await storage.putFile('copies/ep1.txt', source);
      assert.deepEqual(
        await storage.readBuffer('copies/ep1.txt'),
        await storage.readBuffer('series/1/ep1.txt'),
      );
    });

    test('range reads are inclusive on both ends', async () => {
      await storage.put('range.bin', Buffer.from('0123456789'));
      assert.equal(await text(storage.read('range.bin', { start: 2, end: 5 })), '2345');
      assert.equal(await text(storage.read('range.bin', { start: 9, end: 9 })), '9');
      assert.equal(await text(storage.read('range.bin', { start: 0, end: 0 })), '0');
      assert.throws(() => storage.read('range.bin', { start: 5, end: 2 }));
      assert.throws(() => storage.read('range.bin', { start: -1, end: 2 }));
    });

    test('stat of a missing key is null and reading it fails', async () => {
      assert.equal(await storage.stat('nope/missing.txt'), null);
      await assert.rejects(storage.readBuffer('nope/missing.txt'));
      await assert.rejects(text(storage.read('nope/missing.txt')));
    });

    test('the etag changes after an overwrite, even with the same size', async () => {
      await storage.put('etag.txt', Buffer.from('aaaa'));
      const first = await storage.stat('etag.txt');
      await storage.put('etag.txt', Buffer.from('bbbb'));
      const second = await storage.stat('etag.txt');
      assert.ok(first && second);
      assert.notEqual(first.etag, second.etag);
      assert.equal((await storage.readBuffer('etag.txt')).toString(), 'bbbb');
      const third = await storage.stat('etag.txt');
      assert.equal(third?.etag, second.etag, 'stable while unchanged');
    });

    test('list returns every key under a prefix, recursively and sorted', async () => {
      await storage.put('tree/b.txt', Buffer.from('b'));
      await storage.put('tree/a/1.txt', Buffer.from('1'));
      await storage.put('tree/a/deep/2.txt', Buffer.from('2'));
      await storage.put('treehouse.txt', Buffer.from('x'));
      assert.deepEqual(await storage.list('tree/'), [
        'tree/a/1.txt',
        'tree/a/deep/2.txt',
        'tree/b.txt',
      ]);
      assert.deepEqual(await storage.list('tree/a/'), ['tree/a/1.txt', 'tree/a/deep/2.txt']);
      assert.deepEqual(await storage.list('does-not-exist/'), []);
      const all = await storage.list('');
      assert.ok(all.includes('treehouse.txt') && all.includes('tree/b.txt'));
    });

    test('delete removes one key and is a no-op when missing', async () => {
      await storage.put('del/one.txt', Buffer.from('1'));
      await storage.put('del/two.txt', Buffer.from('2'));
      await storage.delete('del/one.txt');
      await storage.delete('del/one.txt');
      assert.equal(await storage.stat('del/one.txt'), null);
      assert.deepEqual(await storage.list('del/'), ['del/two.txt']);
    });

    test('deletePrefix removes a whole tree and nothing beside it', async () => {
      await storage.put('asset/12/a41/master.m3u8', Buffer.from('m'));
      await storage.put('asset/12/a41/720p/seg0.ts', Buffer.from('s'));
      await storage.put('asset/12/a42/master.m3u8', Buffer.from('m'));
      await storage.deletePrefix('asset/12/a41/');
      assert.deepEqual(await storage.list('asset/'), ['asset/12/a42/master.m3u8']);
      await storage.deletePrefix('asset/12/a42');
      assert.deepEqual(await storage.list('asset/'), []);
      await storage.deletePrefix('asset/never-existed/');
    });

    test('keys that could leave the root are refused and touch nothing', async () => {
      const before = await fixture.snapshot();
      for (const key of badKeys) {
        const label = JSON.stringify(key);
        await assert.rejects(storage.put(key, Buffer.from('evil')), InvalidStorageKeyError, label);
        await assert.rejects(storage.putFile(key, '/etc/hostname'), InvalidStorageKeyError, label);
        await assert.rejects(storage.stat(key), InvalidStorageKeyError, label);
        await assert.rejects(storage.readBuffer(key), InvalidStorageKeyError, label);
        await assert.rejects(storage.delete(key), InvalidStorageKeyError, label);
        assert.throws(() => storage.read(key), InvalidStorageKeyError, label);
        assert.throws(() => storage.localPath(key), InvalidStorageKeyError, label);
      }
      for (const prefix of [
        '',
        '/',
        '../',
        '..',
        'a/../../',
        '/etc/',
        'a//',
        'a\\b/',
        'a\u0000/',
      ]) {
        const label = JSON.stringify(prefix);
        await assert.rejects(storage.deletePrefix(prefix), InvalidStorageKeyError, label);
      }
      for (const prefix of ['../', '/etc/', 'a/../../', 'a\u0000']) {
        await assert.rejects(storage.list(prefix), InvalidStorageKeyError, JSON.stringify(prefix));
      }
      assert.deepEqual(await fixture.snapshot(), before);
    });
  });
}
