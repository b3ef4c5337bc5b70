import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import ts from 'typescript';

const nodeGlobals = new Set([
  'process',
  'Buffer',
  'require',
  'module',
  '__dirname',
  '__filename',
  'global',
  'setImmediate',
]);

/** Identifiers in expression position that name a Node-only global (comments and property names aside). */
function nodeGlobalsIn(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && nodeGlobals.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isPropertySignature(parent) && parent.name === node);
      if (!isPropertyName) found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The web client and the typed realtime client import these primitives, so every non-test module
 * here imports only its siblings: no Node built-in, no package, no other part of core. (check-deps
 * and the ESLint boundary enforce this for core/src/protocol; this folder keeps its own guard.)
 */
test('crdt modules import nothing but each other', () => {
  const folder = new URL('./', import.meta.url);
  const modules = readdirSync(folder).filter(
    (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
  );
  assert.ok(modules.length >= 6);
  for (const name of modules) {
    const source = readFileSync(new URL(name, folder), 'utf8');
    const imports = ts.preProcessFile(source, true, true).importedFiles.map((ref) => ref.fileName);
    for (const specifier of imports) {
      assert.match(specifier, /^\.\/[a-z-]+\.ts$/, `${name} imports ${specifier}`);
      assert.ok(
        modules.includes(specifier.slice(2)),
        `${name} imports ${specifier}, not a crdt module`,
      );
    }
    const used = nodeGlobalsIn(ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true));
    assert.deepEqual(used, [], `${name} uses Node globals`);
  }
});
