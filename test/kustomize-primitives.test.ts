import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import {
  applyJson6902, isJson6902, JsonPatchOperation, KustomizePatchError, parsePatchContent,
} from '../src/core/kustomize/json-patch';
import { expandLists, KustomizeListError } from '../src/core/kustomize/lists';
import { CLUSTER_SCOPED_TYPES, isClusterScoped, KustomizeNamespaceError, setNamespace } from '../src/core/kustomize/namespace';
import {
  compileSelector, matchesLabels, matchesSelector, parseLabelSelector, SelectorError, TargetSelector,
} from '../src/core/kustomize/selector';

type Doc = Record<string, unknown>;

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client']).status === 0;
if (!HAS_KUBECTL) console.warn('kubectl not found: skipping the kubectl kustomize differential tests of kustomize-primitives.test.ts');

/** Freezes a value deeply, so any mutation by the code under test throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const yamlDocs = (text: string): unknown[] => parseAllDocuments(text).map(d => d.toJS() as unknown);

const deployment = (): Doc => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'app', image: 'nginx:1' }, { name: 'sidecar', image: 'envoy:1' }] } },
  },
});

describe('applyJson6902', () => {
  it('applies add, remove, replace, move, copy and test in order', () => {
    const doc = deepFreeze(deployment());
    const ops: JsonPatchOperation[] = deepFreeze([
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'backend' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'log', image: 'fluent:2' } },
      { op: 'copy', from: '/metadata/labels', path: '/spec/template/metadata' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/layer' },
    ]);
    expect(applyJson6902(doc, ops)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', layer: 'backend' } },
      spec: {
        replicas: 3,
        template: {
          metadata: { app: 'web', tier: 'backend' },
          spec: { containers: [{ name: 'app', image: 'nginx:1' }, { name: 'log', image: 'fluent:2' }] },
        },
      },
    });
  });

  it('never shares values with the input or the ops', () => {
    const value = { a: [1] };
    const doc = { spec: {} };
    const out = applyJson6902(doc, [{ op: 'add', path: '/spec/v', value }]) as { spec: { v: { a: number[] } } };
    out.spec.v.a.push(2);
    expect(value).toEqual({ a: [1] });
    expect(doc).toEqual({ spec: {} });
  });

  it('keeps kustomize quirks: replace adds a missing key, copy of a missing key writes null, no value means null', () => {
    expect(applyJson6902({ spec: {} }, [{ op: 'replace', path: '/spec/x', value: 1 }])).toEqual({ spec: { x: 1 } });
    expect(applyJson6902({ spec: {} }, [{ op: 'copy', from: '/spec/nope', path: '/spec/c' }])).toEqual({ spec: { c: null } });
    expect(applyJson6902({ spec: {} }, [{ op: 'add', path: '/spec/k' }])).toEqual({ spec: { k: null } });
    // the first token is dropped unread, so a path without its leading slash addresses the root
    expect(applyJson6902({ spec: {} }, [{ op: 'add', path: 'spec/zz', value: 1 }])).toEqual({ spec: {}, zz: 1 });
    expect(applyJson6902({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
    expect(applyJson6902({ a: 1 }, [{ op: 'replace', path: '', value: 3 }])).toEqual({ a: 1 });
  });

  it('resolves array indexes like evanphx/json-patch: negative, signed and zero-padded', () => {
    const at = (path: string, op: 'add' | 'replace' = 'add') => (applyJson6902({ l: ['a', 'b'] }, [{ op, path: `/l/${path}`, value: 'X' }]) as { l: string[] }).l;
    expect(at('-')).toEqual(['a', 'b', 'X']);
    expect(at('2')).toEqual(['a', 'b', 'X']);
    expect(at('-1')).toEqual(['a', 'b', 'X']); // add: -1 appends
    expect(at('-3')).toEqual(['X', 'a', 'b']);
    expect(at('+1')).toEqual(['a', 'X', 'b']);
    expect(at('01')).toEqual(['a', 'X', 'b']);
    expect(at('-1', 'replace')).toEqual(['a', 'X']);
    expect((applyJson6902({ l: ['a', 'b'] }, [{ op: 'remove', path: '/l/-1' }]) as { l: string[] }).l).toEqual(['a']);
  });

  it('adds a key named __proto__ as a plain key', () => {
    const out = applyJson6902({ m: {} }, [{ op: 'add', path: '/m/__proto__', value: { polluted: true } }]) as { m: Doc };
    expect(Object.keys(out.m)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out.m)).toBe(Object.prototype);
  });

  it('unescapes ~1 and ~0 in keys', () => {
    expect(applyJson6902({ m: {} }, [{ op: 'add', path: '/m/a~1b~0c', value: 1 }])).toEqual({ m: { 'a/b~c': 1 } });
    expect(applyJson6902({ m: { '~1': 1 } }, [{ op: 'remove', path: '/m/~01' }])).toEqual({ m: {} });
  });

  it('tests nulls and missing values as kustomize does', () => {
    expect(applyJson6902({ n: null }, [{ op: 'test', path: '/n', value: null }])).toEqual({ n: null });
    expect(applyJson6902({}, [{ op: 'test', path: '/missing', value: null }])).toEqual({});
    expect(() => applyJson6902({ n: null }, [{ op: 'test', path: '/n', value: 1 }])).toThrow(KustomizePatchError);
    expect(() => applyJson6902({ m: { k: 'v' } }, [{ op: 'test', path: '/m/k' }])).toThrow('op 0 (test /m/k)');
    expect(applyJson6902({ m: { b: [1, { c: 2 }], a: 1 } }, [{ op: 'test', path: '/m', value: { a: 1, b: [1, { c: 2 }] } }]))
      .toEqual({ m: { b: [1, { c: 2 }], a: 1 } });
  });

  it.each<[string, JsonPatchOperation[], string]>([
    ['replace of a missing array index', [{ op: 'add', path: '/spec/l', value: [] }, { op: 'replace', path: '/spec/l/0', value: 1 }],
      'op 1 (replace /spec/l/0): index 0 is out of bounds (array has 0 items)'],
    ['add under a missing parent', [{ op: 'add', path: '/spec/x/y', value: 1 }],
      'op 0 (add /spec/x/y): path does not exist: kustomize does not create missing parents'],
    ['remove of a missing key', [{ op: 'remove', path: '/spec/x' }], 'op 0 (remove /spec/x): nothing to remove: key "x" does not exist'],
    ['a failing test', [{ op: 'test', path: '/spec/replicas', value: 2 }], 'op 0 (test /spec/replicas): value is 1, expected 2'],
    ['add past the end', [{ op: 'add', path: '/spec/template/spec/containers/3', value: {} }],
      'op 0 (add /spec/template/spec/containers/3): index 3 is out of bounds (array has 2 items)'],
    ['a non-numeric array index', [{ op: 'add', path: '/spec/template/spec/containers/a', value: {} }],
      'op 0 (add /spec/template/spec/containers/a): "a" is not an array index'],
    ['move into its own child', [{ op: 'move', from: '/spec/template', path: '/spec/template/inner' }],
      'op 0 (move /spec/template -> /spec/template/inner): destination path does not exist'],
    ['move of a missing key', [{ op: 'move', from: '/spec/nope', path: '/spec/c' }],
      'op 0 (move /spec/nope -> /spec/c): nothing to remove: key "nope" does not exist'],
    ['an empty path', [{ op: 'add', path: '', value: {} }], 'op 0 (add ): path does not exist'],
    ['a path through a scalar', [{ op: 'add', path: '/spec/replicas/x', value: 1 }], 'op 0 (add /spec/replicas/x): path does not exist'],
    ['an unknown op', [{ op: 'frobnicate', path: '/x' } as unknown as JsonPatchOperation], 'op 0: unknown op "frobnicate"'],
  ])('fails on %s with a message naming the op', (_title, ops, message) => {
    let error: unknown;
    try {
      applyJson6902(deployment(), ops);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KustomizePatchError);
    expect((error as Error).message).toContain(message);
  });

  it('reports the failing op index and path', () => {
    const error = (() => {
      try {
        applyJson6902({ spec: {} }, [{ op: 'add', path: '/spec/a', value: 1 }, { op: 'remove', path: '/spec/b' }]);
      } catch (e) {
        return e as KustomizePatchError;
      }
      return undefined;
    })();
    expect(error?.opIndex).toBe(1);
    expect(error?.path).toBe('/spec/b');
  });
});

describe('isJson6902 and parsePatchContent', () => {
  it('recognizes op lists', () => {
    expect(isJson6902([{ op: 'add', path: '/a', value: 1 }])).toBe(true);
    expect(isJson6902([])).toBe(true);
    expect(isJson6902([{ path: '/a' }])).toBe(false);
    expect(isJson6902({ op: 'add' })).toBe(false);
    expect(isJson6902(['add'])).toBe(false);
  });

  it('reads JSON and YAML op lists, YAML with YAML 1.1 scalars', () => {
    expect(parsePatchContent('  [{"op":"add","path":"/a","value":"yes"}]\n')).toEqual({ type: 'json6902', ops: [{ op: 'add', path: '/a', value: 'yes' }] });
    expect(parsePatchContent('- op: add\n  path: /a\n  value: [yes, off, 0777, 0o17, 2020-01-01, 1:20, "on"]\n')).toEqual({
      type: 'json6902', ops: [{ op: 'add', path: '/a', value: [true, false, 511, 15, '2020-01-01', '1:20', 'on'] }],
    });
    expect(parsePatchContent('# a comment\n[{"op":"remove","path":"/a"}]')).toEqual({ type: 'json6902', ops: [{ op: 'remove', path: '/a' }] });
  });

  it('reads strategic-merge documents, expanding Lists', () => {
    const sm = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n';
    const one = parsePatchContent(sm);
    expect(one).toEqual({ type: 'strategic-merge', doc: yamlDocs(sm)[0], docs: yamlDocs(sm) });
    const list = parsePatchContent('kind: List\nitems:\n- {kind: ConfigMap, metadata: {name: a}}\n- {kind: ConfigMap, metadata: {name: b}}\n');
    expect(list.type === 'strategic-merge' && list.docs.map(d => (d.metadata as Doc).name)).toEqual(['a', 'b']);
    const two = parsePatchContent(`${sm}---\n${sm}`);
    expect(two.type === 'strategic-merge' && two.docs).toHaveLength(2);
  });

  it.each([
    ['', 'empty patch'],
    ['[]', 'qualifies as both'],
    ['hello', 'unable to parse'],
    ['{}', 'holds no document'],
    ['spec: {replicas: 2}', 'unable to parse'], // a strategic-merge patch needs kind and metadata.name
    ['kind: Deployment\nspec: {replicas: 2}', 'unable to parse'],
    ['[1, 2]', 'unable to parse'],
    ['[{"path": "/a"}]', 'op 0: unknown op undefined'],
    ['[{"op": "move", "path": "/a"}]', 'op 0: move needs a string "from"'],
  ])('refuses %j', (text, message) => {
    expect(() => parsePatchContent(text)).toThrow(KustomizePatchError);
    expect(() => parsePatchContent(text)).toThrow(message);
  });
});

describe('selectors', () => {
  const web = deepFreeze({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web', tier: 'frontend' }, annotations: { team: 'a' } } });
  const cm = deepFreeze({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'prod', labels: { app: 'web', replicas: 3 } } });
  const role = deepFreeze({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } });

  it('matches anchored regular expressions; empty fields match anything', () => {
    expect(matchesSelector(web, {})).toBe(true);
    expect(matchesSelector(web, { kind: 'Deployment', name: 'web' })).toBe(true);
    expect(matchesSelector(web, { kind: 'Deploy' })).toBe(false);
    expect(matchesSelector(web, { kind: 'Deploy.*' })).toBe(true);
    expect(matchesSelector(cm, { name: 'web' })).toBe(false);
    expect(matchesSelector(cm, { name: 'web|web-.*' })).toBe(true); // the alternation is anchored as a whole
    expect(matchesSelector(cm, { name: '(?i)WEB-CONFIG' })).toBe(true);
    expect(matchesSelector(web, { kind: '', name: '' })).toBe(true);
  });

  it('splits group and version from apiVersion, the core group being empty', () => {
    expect(matchesSelector(web, { group: 'apps', version: 'v1' })).toBe(true);
    expect(matchesSelector(cm, { group: 'apps' })).toBe(false);
    expect(matchesSelector(cm, { version: 'v1' })).toBe(true);
    expect(matchesSelector(cm, { group: '^$' })).toBe(true);
    expect(matchesSelector(role, { group: 'rbac\\..*' })).toBe(true);
  });

  it('puts namespace-less objects in default and cluster-scoped ones in no namespace', () => {
    expect(matchesSelector(web, { namespace: 'default' })).toBe(true);
    expect(matchesSelector(cm, { namespace: 'default' })).toBe(false);
    expect(matchesSelector(cm, { namespace: 'prod' })).toBe(true);
    expect(matchesSelector(role, { namespace: 'default' })).toBe(false);
    expect(matchesSelector(role, { namespace: '.*' })).toBe(true);
    expect(matchesSelector(role, { namespace: '_non_namespaceable_' })).toBe(true);
  });

  it('also matches the original name and namespace', () => {
    expect(matchesSelector(cm, { name: 'old' }, { name: 'old' })).toBe(true);
    expect(matchesSelector(cm, { namespace: 'default' }, { namespace: '' })).toBe(true);
    expect(matchesSelector(cm, { namespace: 'staging' }, { namespace: 'dev' })).toBe(false);
  });

  it('matches label and annotation selectors', () => {
    expect(matchesSelector(web, { labelSelector: 'app=web,tier in (frontend, backend)' })).toBe(true);
    expect(matchesSelector(web, { labelSelector: 'app notin (web)' })).toBe(false);
    expect(matchesSelector(role, { labelSelector: 'app!=web' })).toBe(true);
    expect(matchesSelector(role, { labelSelector: '!app' })).toBe(true);
    expect(matchesSelector(cm, { labelSelector: 'replicas>2' })).toBe(true); // non-string label values count as text
    expect(matchesSelector(web, { annotationSelector: 'team==a' })).toBe(true);
    expect(matchesSelector(cm, { annotationSelector: 'team' })).toBe(false);
  });

  it('parses a label selector only once a document gets that far, as kustomize does', () => {
    expect(matchesSelector(web, { kind: 'Service', labelSelector: 'a in x' })).toBe(false);
    expect(() => matchesSelector(web, { kind: 'Deployment', labelSelector: 'a in x' })).toThrow(SelectorError);
    expect(() => compileSelector({ name: '(' })).toThrow('invalid name pattern "("');
  });

  it('parses label selectors like apimachinery', () => {
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector(' a , !b,c=d, e==f ,g!=h, i in (y,x,,x), j notin (), k>0, l<10, in in (in)')).toEqual([
      { key: 'a', operator: 'exists', values: [] },
      { key: 'b', operator: '!', values: [] },
      { key: 'c', operator: '=', values: ['d'] },
      { key: 'e', operator: '==', values: ['f'] },
      { key: 'g', operator: '!=', values: ['h'] },
      { key: 'i', operator: 'in', values: ['', 'x', 'y'] },
      { key: 'j', operator: 'notin', values: [''] },
      { key: 'k', operator: 'gt', values: ['0'] },
      { key: 'l', operator: 'lt', values: ['10'] },
      { key: 'in', operator: 'in', values: ['in'] },
    ]);
    expect(parseLabelSelector('a=')).toEqual([{ key: 'a', operator: '=', values: [''] }]);
    expect(parseLabelSelector('example.com/owner=team-a')).toEqual([{ key: 'example.com/owner', operator: '=', values: ['team-a'] }]);
  });

  it.each([
    ['a in x', "found 'x' expected: '('"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a b', "found 'b', expected: '=', '!=', '==', 'in', notin'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a>b', 'the value must be an integer'],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a in (b c)', "found 'c', expected: ',' or ')'"],
    ['a=-b', 'invalid label value'],
    ['-a', 'invalid label key "-a"'],
    ['Example.com/a', 'prefix part must be a lowercase DNS-1123 subdomain'],
    [`${'k'.repeat(64)}`, 'name part must be no more than 63 characters'],
    ['a/b/c', 'at most one "/"'],
  ])('refuses the label selector %j', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(SelectorError);
    expect(() => parseLabelSelector(text)).toThrow(message);
  });

  it('evaluates requirements with Kubernetes semantics', () => {
    const labels = { app: 'web', n: '5', x: 'abc' };
    const m = (s: string) => matchesLabels(labels, parseLabelSelector(s));
    expect([m('app'), m('!app'), m('zz!=1'), m('zz notin (a)'), m('zz in (a)'), m('n>4'), m('n<5'), m('x>1'), m('zz<1')])
      .toEqual([true, false, true, true, false, true, false, false, false]);
  });
});

describe('expandLists', () => {
  it('expands Lists through a queue: items go after the documents still waiting', () => {
    const docs = yamlDocs(`
kind: List
items:
- {kind: ConfigMap, metadata: {name: a1}}
- kind: ConfigMapList
  items:
  - {kind: ConfigMap, metadata: {name: inner}}
- {kind: ConfigMap, metadata: {name: a2}}
---
kind: ConfigMap
metadata: {name: b}
---
---
kind: SecretList
items: []
---
kind: SecretList
items: null
---
kind: FooList
metadata: {name: kept}
spec: {}
---
{}
`);
    expect(expandLists(docs).map(e => ({ name: (e.doc.metadata as Doc).name, index: e.index, item: e.item }))).toEqual([
      { name: 'b', index: 1, item: undefined },
      { name: 'kept', index: 5, item: undefined },
      { name: 'a1', index: 0, item: [0] },
      { name: 'a2', index: 0, item: [2] },
      { name: 'inner', index: 0, item: [1, 0] },
    ]);
  });

  it('unwraps a List item of a List in place, as kustomize reads each item on its own', () => {
    const named = (name: string) => ({ kind: 'ConfigMap', metadata: { name } });
    const docs = [
      { kind: 'ConfigMapList', items: [named('a'), { kind: 'List', items: [named('b'), { kind: 'SecretList', items: [named('s')] }] }, named('d')] },
      named('c'),
    ];
    expect(expandLists(docs).map(e => `${(e.doc.metadata as Doc).name}@${e.index}:${e.item?.join('.') ?? '-'}`))
      .toEqual(['c@1:-', 'a@0:0', 'b@0:1.0', 'd@0:2', 's@0:1.1.0']);
  });

  it('drops null, {} and [] items', () => {
    expect(expandLists([{ kind: 'List', items: [null, {}, [], { kind: 'A', metadata: { name: 'x' } }] }, { kind: 'B', metadata: { name: 'y' } }]).map(e => e.item))
      .toEqual([undefined, [3]]);
  });

  it('mirrors the reader unwrapping a lone List or ResourceList', () => {
    expect(expandLists([{ kind: 'List', items: 'scalar' }])).toEqual([]);
    expect(expandLists([null, { kind: 'ResourceList', functionConfig: {} }])).toEqual([]);
    expect(expandLists([{ kind: 'ResourceList', functionConfig: {} }, { kind: 'A', metadata: { name: 'a' } }]).map(e => e.doc.kind))
      .toEqual(['ResourceList', 'A']);
    expect(() => expandLists([{ kind: 'List', items: 'scalar' }, { kind: 'A', metadata: { name: 'a' } }])).toThrow('expected a list in List/items');
    expect(() => expandLists([{ kind: 'List', items: { a: 1 } }])).toThrow(KustomizeListError);
  });

  it('refuses documents and items that are not objects', () => {
    expect(() => expandLists(['hello'])).toThrow('document 0 is not an object');
    expect(() => expandLists([{}, { kind: 'List', items: [{ kind: 'List', items: [1] }] }, {}])).toThrow('document 1, item 0.0 is not an object');
  });
});

describe('namespace transformer', () => {
  it('knows the cluster-scoped types by exact apiVersion, like kustomize', () => {
    expect(isClusterScoped('v1', 'Namespace')).toBe(true);
    expect(isClusterScoped('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBe(true);
    expect(isClusterScoped('rbac.authorization.k8s.io/v1alpha1', 'ClusterRole')).toBe(false);
    expect(isClusterScoped('flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema')).toBe(true);
    expect(isClusterScoped('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema')).toBe(false);
    expect(isClusterScoped('cert-manager.io/v1', 'ClusterIssuer')).toBe(false);
    expect(isClusterScoped('/v1', 'Namespace')).toBe(true); // kustomize rebuilds apiVersion from group and version
    expect(isClusterScoped('apps/v1', 'Deployment')).toBe(false);
    expect(CLUSTER_SCOPED_TYPES).toHaveLength(36);
  });

  it('sets metadata.namespace on namespaced kinds only, never mutating the input', () => {
    const cm = deepFreeze({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'old' } });
    expect(setNamespace(cm, 'new')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'new' } });
    expect(setNamespace({ kind: 'Foo', apiVersion: 'example.com/v1', metadata: { name: 'f' } }, 'new'))
      .toEqual({ kind: 'Foo', apiVersion: 'example.com/v1', metadata: { name: 'f', namespace: 'new' } });
    const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv', namespace: 'weird' } };
    expect(setNamespace(pv, 'new')).toEqual(pv);
    expect(setNamespace(cm, '')).toEqual(cm);
  });

  it('renames a v1 Namespace only', () => {
    expect(setNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old' } }, 'new')).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new' } });
    expect(setNamespace({ apiVersion: 'example.com/v1', kind: 'Namespace', metadata: { name: 'old' } }, 'new'))
      .toEqual({ apiVersion: 'example.com/v1', kind: 'Namespace', metadata: { name: 'old', namespace: 'new' } });
  });

  it('sets the namespace of RoleBinding subjects named default, and only those', () => {
    const rb = deepFreeze({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'orig' },
      subjects: [
        { kind: 'ServiceAccount', name: 'default' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'other' },
        { kind: 'ServiceAccount', name: 'sa1' },
        { kind: 'ServiceAccount', name: 'sa2', namespace: 'orig' },
        { kind: 'User', name: 'default' },
        null,
      ],
    });
    expect(setNamespace(rb, 'new')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'new' },
      subjects: [
        { kind: 'ServiceAccount', name: 'default', namespace: 'new' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'new' },
        { kind: 'ServiceAccount', name: 'sa1' },
        { kind: 'ServiceAccount', name: 'sa2', namespace: 'orig' },
        { kind: 'User', name: 'default', namespace: 'new' },
        null,
      ],
    });
    expect(setNamespace({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, subjects: [{ name: 'default' }] }, 'new'))
      .toEqual({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, subjects: [{ name: 'default', namespace: 'new' }] });
    expect(() => setNamespace({ kind: 'RoleBinding', metadata: { name: 'rb' }, subjects: { a: 1 } }, 'new')).toThrow(KustomizeNamespaceError);
    expect(() => setNamespace({ kind: 'RoleBinding', metadata: { name: 'rb' }, subjects: ['default'] }, 'new')).toThrow('subjects[0] is not an object');
  });

  it('sets APIService and CRD conversion webhook service namespaces, not webhook configurations', () => {
    expect(setNamespace({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.a' } }, 'new'))
      .toEqual({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.a' }, spec: { service: { namespace: 'new' } } });
    const crd = (service: Doc) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'a.b' }, spec: { conversion: { webhook: { clientConfig: { service } } } } });
    expect(setNamespace(crd({ name: 's', namespace: 'old' }), 'new')).toEqual(crd({ name: 's', namespace: 'new' }));
    expect(setNamespace(crd({ namespace: null }), 'new')).toEqual(crd({ namespace: 'new' }));
    expect(setNamespace(crd({ name: 's' }), 'new')).toEqual(crd({ name: 's' }));
    const webhook = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' }, webhooks: [{ name: 'a.b', clientConfig: { service: { name: 's', namespace: 'old' } } }] };
    expect(setNamespace(webhook, 'new')).toEqual(webhook);
  });
});

// ---------------------------------------------------------------------------------------------
// Differential test: the primitives against `kubectl kustomize` on generated kustomizations.
// ---------------------------------------------------------------------------------------------

interface Case {
  /** Unique prefix of every resource name (and target namespace) of the case. */
  id: string;
  title: string;
  /** The resources file (multi-document YAML). */
  resources: string;
  patches: { target: TargetSelector; patch: string }[];
  namespace?: string;
}

const docsYaml = (docs: unknown[]): string => docs.map(d => stringify(d)).join('---\n');

/** Applies a case with the primitives, in kustomize's order: every patch in turn, then the namespace. */
function model(c: Case): Doc[] {
  let resources = expandLists(yamlDocs(c.resources)).map(({ doc }) => {
    const metadata = (doc.metadata ?? {}) as Doc;
    return { doc, original: { name: String(metadata.name ?? ''), namespace: String(metadata.namespace ?? '') } };
  });
  for (const { target, patch } of c.patches) {
    const parsed = parsePatchContent(patch);
    if (parsed.type !== 'json6902') throw new Error('the differential cases use JSON6902 patches only');
    const selects = compileSelector(target);
    resources = resources.map(r => (selects(r.doc, r.original) ? { ...r, doc: applyJson6902(r.doc, parsed.ops) as Doc } : r));
  }
  return resources.map(r => (c.namespace ? setNamespace(r.doc, c.namespace) : r.doc));
}

function generateCases(): Case[] {
  const cases: Case[] = [];
  const add = (title: string, make: (id: string) => Omit<Case, 'id' | 'title'>) => {
    const id = `c${String(cases.length).padStart(3, '0')}`;
    cases.push({ id, title, ...make(id) });
  };
  const json = (ops: unknown[]) => JSON.stringify(ops);

  // --- JSON6902 operations over sample objects ---
  const samples: Record<string, (id: string) => Doc> = {
    deployment: id => ({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: `${id}-web`, labels: { app: 'web' }, annotations: { 'example.com/team': 'a' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }, { name: 'sidecar', image: 'envoy:1' }] },
        },
      },
    }),
    configmap: id => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${id}-cfg`, labels: { app: 'web' } }, data: { a: '1', 'b.txt': 'x', 'c/d': 'slash' } }),
    widget: id => ({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: `${id}-w`, labels: { app: 'web' } },
      spec: { list: ['a', 'b', 'c'], nested: { k: 'v', deep: { n: 1 } }, flag: true, empty: null },
    }),
  };
  const opSets: Record<string, unknown[]> = {
    'add a label': [{ op: 'add', path: '/metadata/labels/tier', value: 'backend' }],
    'replace a label': [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }],
    'remove a label': [{ op: 'remove', path: '/metadata/labels/app' }],
    'replace a missing key (adds it)': [{ op: 'replace', path: '/metadata/labels/new', value: 'n' }],
    'add an annotations map then an escaped key': [{ op: 'add', path: '/metadata/annotations', value: {} }, { op: 'add', path: '/metadata/annotations/example.com~1owner', value: 'team~b' }],
    'copy from a missing key (null)': [{ op: 'copy', from: '/metadata/nope', path: '/metadata/labels/copied' }],
    'add without a value (null)': [{ op: 'add', path: '/x-empty' }],
    'add at the root without the leading slash': [{ op: 'add', path: 'metadata/x-root', value: 'r' }],
    'test then replace': [{ op: 'test', path: '/metadata/labels/app', value: 'web' }, { op: 'replace', path: '/metadata/labels/app', value: 'tested' }],
    'move a label': [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/moved' }],
    'copy the labels map': [{ op: 'copy', from: '/metadata/labels', path: '/x-labels' }],
    'failing test': [{ op: 'test', path: '/metadata/labels/app', value: 'nope' }],
    'add under a missing parent': [{ op: 'add', path: '/x/y/z', value: 1 }],
    'remove a missing key': [{ op: 'remove', path: '/metadata/labels/nope' }],
  };
  for (const [sample, make] of Object.entries(samples)) {
    for (const [title, ops] of Object.entries(opSets)) {
      add(`${sample}: ${title}`, id => ({ resources: docsYaml([make(id)]), patches: [{ target: { name: `${id}-.*` }, patch: json(ops) }] }));
    }
  }
  const deploymentOps: Record<string, unknown[]> = {
    'replace an image': [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:2' }],
    'append a container with -': [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'log', image: 'fluent:1' } }],
    'insert a container at 0': [{ op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'init', image: 'busybox' } }],
    'insert with a signed, zero-padded index': [{ op: 'add', path: '/spec/template/spec/containers/+01', value: { name: 'mid', image: 'busybox' } }],
    'remove the last container with -1': [{ op: 'remove', path: '/spec/template/spec/containers/-1' }],
    'add at -1 (appends)': [{ op: 'add', path: '/spec/template/spec/containers/0/env/-1', value: { name: 'B', value: '2' } }],
    'add at -2': [{ op: 'add', path: '/spec/template/spec/containers/0/env/-2', value: { name: 'Z', value: '0' } }],
    'move a container to the end': [{ op: 'move', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/-' }],
    'replace replicas, YAML op list': ['- op: replace\n  path: /spec/replicas\n  value: 3\n- op: add\n  path: /spec/paused\n  value: yes\n'],
    'replace past the end': [{ op: 'replace', path: '/spec/template/spec/containers/2', value: {} }],
    'add past the end': [{ op: 'add', path: '/spec/template/spec/containers/3', value: {} }],
    'remove with -': [{ op: 'remove', path: '/spec/template/spec/containers/-' }],
    'move into its own child': [{ op: 'move', from: '/spec/template', path: '/spec/template/spec/inner' }],
  };
  for (const [title, ops] of Object.entries(deploymentOps)) {
    const patch = typeof ops[0] === 'string' ? ops[0] : json(ops);
    add(`deployment: ${title}`, id => ({ resources: docsYaml([samples.deployment(id)]), patches: [{ target: { kind: 'Deployment' }, patch }] }));
  }
  add('widget: replace the whole document', id => ({
    resources: docsYaml([samples.widget(id)]),
    patches: [{ target: { kind: 'Widget' }, patch: json([{ op: 'replace', path: '', value: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: `${id}-w` }, spec: { replaced: true } } }]) }],
  }));
  add('widget: test of an object and of null', id => ({
    resources: docsYaml([samples.widget(id)]),
    patches: [{ target: { kind: 'Widget' }, patch: json([
      { op: 'test', path: '/spec/nested', value: { deep: { n: 1 }, k: 'v' } }, { op: 'test', path: '/spec/empty', value: null },
      { op: 'test', path: '/spec/none', value: null }, { op: 'add', path: '/spec/list/1', value: 'tested' },
    ]) }],
  }));

  // --- selectors ---
  const selectorResources = (id: string) => docsYaml([
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${id}-web`, labels: { app: 'web', tier: 'frontend' }, annotations: { team: 'a' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${id}-api`, namespace: 'prod', labels: { app: 'api', tier: 'backend' }, annotations: { team: 'b', 'example.com/owner': 'x' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: `${id}-web`, labels: { app: 'web' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${id}-web-config`, namespace: 'prod' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${id}-reader`, labels: { app: 'web' } } },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: `${id}-w`, namespace: 'default', labels: { app: 'api', size: '10' } } },
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${id}-pv` } },
  ]);
  const selectors: TargetSelector[] = [
    { kind: 'Deployment' }, { kind: 'Deploy.*' }, { kind: 'Service|ConfigMap' }, { kind: 'deployment' },
    { name: '.*-web' }, { name: '.*web.*' }, { name: 'web' }, { name: '(?i).*-WEB' },
    { group: 'apps' }, { group: 'rbac\\..*' }, { group: '^$' }, { version: 'v1' }, { group: 'example.com', version: 'v1.*' },
    { namespace: 'default' }, { namespace: 'prod' }, { namespace: '.*' }, { namespace: 'prod|default' }, { namespace: '_non_namespaceable_' },
    { labelSelector: 'app=web' }, { labelSelector: 'app in (web,api)' }, { labelSelector: 'app notin (web)' }, { labelSelector: '!tier' },
    { labelSelector: 'tier' }, { labelSelector: 'app!=web,tier' }, { labelSelector: 'app==api' }, { labelSelector: 'size>9' },
    { annotationSelector: 'team=b' }, { annotationSelector: 'example.com/owner' }, { annotationSelector: '!team' },
    { kind: 'Deployment', namespace: 'default', labelSelector: 'tier in (frontend)' },
    { labelSelector: 'app in (web,)' }, { labelSelector: 'tier notin ()' }, { labelSelector: 'size<11,size>9' }, { labelSelector: 'in in (in)' },
    { labelSelector: ' app == web , ! size ' }, { annotationSelector: 'example.com/owner in (x),team' },
  ];
  for (const target of selectors) {
    add(`selector ${JSON.stringify(target)}`, id => ({
      resources: selectorResources(id),
      patches: [{ target, patch: json([{ op: 'add', path: '/x-selected', value: true }]) }],
    }));
  }
  add('an invalid label selector that no object reaches', id => ({
    resources: selectorResources(id),
    patches: [{ target: { kind: 'Nothing', labelSelector: 'a in x' }, patch: json([{ op: 'add', path: '/x-selected', value: true }]) }],
  }));
  add('an invalid label selector', id => ({
    resources: selectorResources(id),
    patches: [{ target: { kind: 'Deployment', labelSelector: 'a in x' }, patch: json([{ op: 'add', path: '/x-selected', value: true }]) }],
  }));

  // --- Lists ---
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
  add('a List followed by a plain document', id => ({ resources: docsYaml([{ apiVersion: 'v1', kind: 'List', items: [cm(`${id}-a1`), cm(`${id}-a2`)] }, cm(`${id}-b`)]), patches: [] }));
  add('nested Lists in a lone List', id => ({
    resources: docsYaml([{ apiVersion: 'v1', kind: 'List', items: [cm(`${id}-a`), { apiVersion: 'v1', kind: 'ConfigMapList', items: [cm(`${id}-i1`), { kind: 'List', items: [cm(`${id}-ii`)] }, cm(`${id}-i2`)] }, cm(`${id}-z`)] }]),
    patches: [],
  }));
  add('empty Lists, a List without items, null and {} items', id => ({
    resources: docsYaml([
      { apiVersion: 'v1', kind: 'SecretList', items: [] }, cm(`${id}-x`), { apiVersion: 'v1', kind: 'SecretList', items: null },
      { apiVersion: 'example.com/v1', kind: 'AllowList', metadata: { name: `${id}-allow` }, spec: { cidrs: ['10.0.0.0/8'] } },
      { apiVersion: 'v1', kind: 'List', items: [null, {}, cm(`${id}-y`)] },
    ]),
    patches: [],
  }));
  add('a List item of a ConfigMapList, in a file of several documents', id => ({
    resources: docsYaml([
      { apiVersion: 'v1', kind: 'ConfigMapList', items: [cm(`${id}-a`), { apiVersion: 'v1', kind: 'List', items: [cm(`${id}-b`), { apiVersion: 'v1', kind: 'SecretList', items: [cm(`${id}-s`)] }] }, cm(`${id}-d`)] },
      cm(`${id}-c`),
      { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ResourceList', functionConfig: {} }, { apiVersion: 'v1', kind: 'List', items: 'nothing' }, cm(`${id}-e`)] },
    ]),
    patches: [],
  }));
  add('a lone List whose items is a scalar', () => ({ resources: 'apiVersion: v1\nkind: List\nitems: nothing\n', patches: [] }));
  add('a List whose items is a scalar, among other documents', id => ({ resources: docsYaml([{ apiVersion: 'v1', kind: 'List', items: 'nothing' }, cm(`${id}-a`)]), patches: [] }));
  add('List items patched and namespaced', id => ({
    resources: docsYaml([{ apiVersion: 'v1', kind: 'List', items: [cm(`${id}-a`), { apiVersion: 'v1', kind: 'List', items: [cm(`${id}-b`)] }] }, cm(`${id}-c`)]),
    patches: [{ target: { name: `${id}-(a|b)` }, patch: json([{ op: 'add', path: '/data/patched', value: 'yes' }]) }],
    namespace: `${id}-ns`,
  }));

  // --- the namespace transformer ---
  const mixed = (id: string) => [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${id}-web` } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${id}-cm`, namespace: 'orig' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${id}-cr` } },
    { apiVersion: 'rbac.authorization.k8s.io/v1alpha1', kind: 'ClusterRole', metadata: { name: `${id}-cr-alpha` } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${id}-orig`, labels: { team: 'a' } } },
    { apiVersion: 'example.com/v1', kind: 'Namespace', metadata: { name: `${id}-fake-ns` } },
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: `${id}-issuer` } },
    { apiVersion: 'example.com/v1', kind: 'Foo', metadata: { name: `${id}-foo` } },
    { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: `${id}-fs` } },
    { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kind: 'FlowSchema', metadata: { name: `${id}-fs-beta` } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: `${id}-vap` } },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: `${id}-sc` }, provisioner: 'x' },
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${id}-pv`, namespace: 'weird' } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `${id}-ic` } },
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `${id}-pc` }, value: 1 },
  ];
  const bindings = (id: string) => [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${id}-rb`, namespace: 'orig' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [
        { kind: 'ServiceAccount', name: 'default' }, { kind: 'ServiceAccount', name: 'default', namespace: 'other' },
        { kind: 'ServiceAccount', name: `${id}-sa1` }, { kind: 'ServiceAccount', name: `${id}-sa2`, namespace: 'orig' },
        { kind: 'User', name: 'default' }, { kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${id}-crb` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'default' }, { kind: 'ServiceAccount', name: `${id}-sa3`, namespace: 'orig' }, { kind: 'ServiceAccount', name: `${id}-sa4` }],
    },
    { apiVersion: 'example.com/v1', kind: 'RoleBinding', metadata: { name: `${id}-fake-rb` }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
  ];
  const services = (id: string) => [
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${id}-v1.x` }, spec: { service: { name: 'svc', namespace: 'orig' } } },
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${id}-v1.y` }, spec: { group: 'y' } },
    { apiVersion: 'apiregistration.k8s.io/v1beta1', kind: 'APIService', metadata: { name: `${id}-v1.z` } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${id}-foos.example.com` }, spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'svc', namespace: 'orig' } } } } } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${id}-bars.example.com` }, spec: { conversion: { strategy: 'None' } } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `${id}-vwc` }, webhooks: [{ name: 'a.example.com', clientConfig: { service: { name: 'svc', namespace: 'orig' } } }] },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: `${id}-mwc` }, webhooks: [{ name: 'a.example.com', clientConfig: { service: { name: 'svc' } } }] },
  ];
  for (const [title, make] of Object.entries({ 'mixed kinds': mixed, 'role binding subjects': bindings, 'service references': services })) {
    add(`namespace: ${title}`, id => ({ resources: docsYaml(make(id)), patches: [], namespace: `${id}-ns` }));
  }
  const marker = (key: string) => json([{ op: 'add', path: `/${key}`, value: true }]);
  add('patches run before the namespace: target namespaces see the old ones', id => ({
    resources: docsYaml(mixed(id)),
    patches: [
      { target: { namespace: `${id}-ns` }, patch: marker('x-new') }, { target: { namespace: 'default' }, patch: marker('x-default') },
      { target: { namespace: 'orig' }, patch: marker('x-orig') }, { target: { namespace: '.*' }, patch: marker('x-any') },
      { target: { namespace: '_non_namespaceable_' }, patch: marker('x-cluster') },
    ],
    namespace: `${id}-ns`,
  }));
  add('a patch adds a default subject, then the namespace reaches it', id => ({
    resources: docsYaml(bindings(id)),
    patches: [{ target: { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }, patch: json([{ op: 'add', path: '/subjects/-', value: { kind: 'ServiceAccount', name: 'default', namespace: 'patched' } }]) }],
    namespace: `${id}-ns`,
  }));
  add('a patch sets metadata.namespace, the namespace transformer overrides it', id => ({
    resources: docsYaml(mixed(id)),
    patches: [{ target: { kind: 'Deployment|ClusterRole' }, patch: json([{ op: 'add', path: '/metadata/namespace', value: 'patched' }]) }],
    namespace: `${id}-ns`,
  }));
  add('patches see the results of earlier patches', id => ({
    resources: docsYaml(mixed(id)),
    patches: [
      { target: { kind: 'Foo|ConfigMap' }, patch: json([{ op: 'add', path: '/metadata/labels', value: { step: 'one' } }]) },
      { target: { labelSelector: 'step=one' }, patch: marker('x-step-two') },
      { target: { kind: 'Deployment' }, patch: json([{ op: 'add', path: '/metadata/namespace', value: 'moved' }]) },
      { target: { namespace: 'moved' }, patch: marker('x-moved') },
    ],
  }));
  add('a renamed object is still selected by its original name', id => ({
    resources: docsYaml(mixed(id)),
    patches: [
      { target: { kind: 'Foo' }, patch: json([{ op: 'replace', path: '/metadata/name', value: `${id}-renamed` }]) },
      { target: { name: `${id}-foo` }, patch: marker('x-by-old-name') },
      { target: { name: `${id}-renamed` }, patch: marker('x-by-new-name') },
    ],
    namespace: `${id}-ns`,
  }));
  add('subjects that are not a list', id => ({
    resources: docsYaml([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${id}-rb` }, subjects: { a: 1 } }]),
    patches: [],
    namespace: `${id}-ns`,
  }));
  return cases;
}

const run = promisify(execFile);

/** `kubectl kustomize dir` as parsed documents, or the error text. */
async function kustomize(dir: string): Promise<{ docs: Doc[] } | { error: string }> {
  try {
    const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
    return { docs: parseAllDocuments(stdout).map(d => d.toJS() as Doc).filter(d => d !== null) };
  } catch (e) {
    return { error: String((e as { stderr?: string }).stderr ?? e) };
  }
}

/** Runs `tasks` at most `limit` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

describe(`kustomize primitives against kubectl kustomize${HAS_KUBECTL ? '' : ' [SKIPPED: kubectl not found]'}`, () => {
  let root = '';
  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!HAS_KUBECTL)('produce what kubectl kustomize builds, for every generated case', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-primitives-'));
    const cases = generateCases();
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const predicted = cases.map(c => {
      try {
        return { ok: model(c) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
    for (const c of cases) {
      const dir = path.join(root, c.id);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'resources.yaml'), c.resources);
      const kustomization: Doc = { resources: ['resources.yaml'] };
      if (c.patches.length > 0) kustomization.patches = c.patches;
      if (c.namespace) kustomization.namespace = c.namespace;
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), stringify(kustomization));
    }
    // one build for every case the primitives accept (fifo keeps each case's order), one build per refused case
    const accepted = cases.filter((_, i) => 'ok' in predicted[i]);
    const refused = cases.filter((_, i) => 'error' in predicted[i]);
    fs.writeFileSync(path.join(root, 'kustomization.yaml'), stringify({ resources: accepted.map(c => c.id), sortOptions: { order: 'fifo' } }));
    const [all, ...failures] = await pool([() => kustomize(root), ...refused.map(c => () => kustomize(path.join(root, c.id)))], 2);

    expect('error' in all ? all.error : '', 'the build of every accepted case fails').toBe('');
    const built = 'docs' in all ? all.docs : [];
    const mismatches: string[] = [];
    for (const [i, c] of cases.entries()) {
      const p = predicted[i];
      if (!('ok' in p)) continue;
      const actual = built.filter(d => String((d.metadata as Doc | undefined)?.name ?? '').startsWith(`${c.id}-`));
      try {
        expect(p.ok).toEqual(actual);
      } catch {
        mismatches.push(`${c.id} ${c.title}\n  kubectl: ${JSON.stringify(actual)}\n  model:   ${JSON.stringify(p.ok)}`);
      }
    }
    refused.forEach((c, i) => {
      if (!('error' in failures[i])) mismatches.push(`${c.id} ${c.title}: the primitives refuse it (${(predicted[cases.indexOf(c)] as { error: string }).error}) but kubectl builds it`);
    });
    expect(mismatches, mismatches.join('\n\n')).toEqual([]);
    expect(built.length).toBe(accepted.reduce((n, c) => n + (predicted[cases.indexOf(c)] as { ok: Doc[] }).ok.length, 0));
    expect(refused.length).toBeGreaterThan(5);
  });
});
