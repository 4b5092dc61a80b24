import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { emitBlockYaml, YAML_OPTIONS } from '../src/core/block-yaml';
import { FleetTesting } from '../src/testing';

/** Scalars yaml treats specially: YAML 1.1 booleans, nulls, numbers, timestamps, indicators, quotes. */
const TRICKY = [
  '', ' ', 'y', 'n', 'Y', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', 'e5', 'E+10', '1e3', '0x1F', '0o7', '017',
  '0b101', '1_000', '12:30', '1:20:30.5', '.inf', '-.Inf', '.nan', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '-', '?',
  ':', 'a:', 'a: b', 'a #b', '#x', '- x', '? x', '@x', '`x', '%x', '---', '---x', '...x', 'a\nb', 'a\n', ' a', 'a ', 'a\tb', '\u0007',
  'é', '日本', '😀', 'a"b', "a'b", 'a\\nb', '[a]', '{a}', 'a,b', '*a', '&a', '!a', '|', '>', 'x'.repeat(1030), '1.0.0', '>=1.0.0 <2.0.0',
  '10m', '0 */5 * * *', 'https://x.y/z', 'a:b', 'AgB+x/y=', 'v1', '-1', '+1', '.5', '5.', 'NaN', 'flux-system', 'HelmRelease',
];
const CHARS = [...'abXZ09._/+=:- #\'"\n\t,[]{}&*!|>%@`?~<'];

/** A deterministic generator of JSON-like documents made of tricky keys and scalars. */
function generator(seed: number) {
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const text = () => next() < 0.5 ? pick(TRICKY) : Array.from({ length: Math.floor(next() * 8) }, () => pick(CHARS)).join('');
  const scalar = (): unknown => pick([
    text, text, () => Math.floor(next() * 2000) - 1000, () => next() * 100,
    () => pick([0, -0, 1e21, 1e-7, 0.1, NaN, Infinity, 2 ** 53]), () => next() < 0.5, () => null,
  ])();
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 4 || r < 0.45) return scalar();
    if (r < 0.7) {
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 4); i > 0; i--) obj[text()] = next() < 0.05 ? undefined : value(depth + 1);
      return obj;
    }
    return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
  };
  return () => {
    const doc: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) doc[text()] = value(1);
    return doc;
  };
}

describe('block YAML emitter (the fast path of toYaml)', () => {
  it('writes every document of the example fleet byte for byte as yaml does', () => {
    const files = createExampleFleet({ rootDir: FleetTesting.tempDir() }).synthModel().analysis.files;
    const docs = files.flatMap(f => f.docs);
    const emitted = docs.map(d => emitBlockYaml(d));
    docs.forEach((doc, i) => {
      if (emitted[i] !== undefined) expect(emitted[i]).toBe(stringify(doc, YAML_OPTIONS));
    });
    // the fast path is the rule, the fallback (multi-line strings) the exception
    expect(emitted.filter(e => e === undefined).length).toBeLessThan(docs.length / 10);
  });

  it('writes generated documents with tricky keys and scalars as yaml does, or leaves them to yaml', () => {
    const next = generator(42);
    let handled = 0;
    for (let i = 0; i < 3000; i++) {
      const doc = next();
      const emitted = emitBlockYaml(doc);
      if (emitted === undefined) continue;
      handled++;
      expect(emitted, JSON.stringify(doc)).toBe(stringify(doc, YAML_OPTIONS));
    }
    expect(handled).toBeGreaterThan(1000);
  });

  it('leaves to yaml what it does not lay out itself', () => {
    for (const doc of [{ a: 'two\nlines' }, { a: '---x' }, { ['k'.repeat(1100)]: 1 }, { a: [undefined] }, { a: new Date(0) }, { a: 1n }, { a: -0 }, 'scalar']) {
      expect(emitBlockYaml(doc)).toBeUndefined();
    }
    expect(emitBlockYaml({})).toBe('{}\n');
    expect(emitBlockYaml({ a: { b: undefined }, c: [[], {}, [1, [2]], { d: 'on' }] })).toBe(stringify({ a: { b: undefined }, c: [[], {}, [1, [2]], { d: 'on' }] }, YAML_OPTIONS));
  });
});
