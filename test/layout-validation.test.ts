import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { GitOpsRepo, LayoutDirectory, ManifestFile, ObjectPatch } from '../src';
import { FleetTesting } from '../src/testing';
import { problemsOf as reportedProblems, readTree } from './helpers';

/** The problems synth reports for `repo`, failing the test if there are none. */
function problemsOf(repo: GitOpsRepo): string[] {
  const problems = reportedProblems(repo);
  if (problems.length === 0) throw new Error('expected the fleet to be rejected');
  return problems;
}

function configMap(scope: ManifestFile, name: string, namespace = 'default'): ApiObject {
  return ApiObject.of(new kplus.ConfigMap(scope, name, { metadata: { name, namespace }, data: { k: 'v' } }));
}

describe('layout validation', () => {
  it('rejects a directory name that is not a valid path segment', () => {
    const repo = FleetTesting.repo();
    new LayoutDirectory(repo.infrastructure, 'base', { dirName: 'My Base' });
    expect(problemsOf(repo)).toEqual([
      '[infrastructure/base] dirName "My Base" is not a valid directory name: use lowercase letters, digits, \'-\', \'.\' or \'_\', starting and ending with a letter or digit (e.g. "external-dns")',
    ]);
  });

  it('rejects an invalid file name and the reserved kustomization.yaml', () => {
    const repo = FleetTesting.repo();
    const dir = new LayoutDirectory(repo.apps, 'demo');
    configMap(new ManifestFile(dir, 'a', { fileName: 'Release.yml' }), 'a');
    configMap(new ManifestFile(dir, 'b', { fileName: 'kustomization.yaml' }), 'b');
    expect(problemsOf(repo)).toEqual([
      '[apps/demo/a] fileName "Release.yml" is not a valid file name: use lowercase letters, digits, \'-\', \'.\' or \'_\' and end with ".yaml" (e.g. "release.yaml")',
      '[apps/demo/b] fileName "kustomization.yaml" is reserved: the layout writer generates every kustomization.yaml itself; pick another name (e.g. "release.yaml")',
    ]);
  });

  it('rejects a top-level directory other than clusters/, infrastructure/ and apps/', () => {
    const repo = FleetTesting.repo();
    configMap(new ManifestFile(new LayoutDirectory(repo, 'charts'), 'x'), 'x');
    expect(problemsOf(repo)).toEqual([
      '[charts] dirName "charts" cannot be a top-level directory: the layout writes only under "clusters/", "infrastructure/", "apps/"; create it inside one of those',
    ]);
  });

  it('rejects a plain cdk8s Chart and a file outside any directory', () => {
    const repo = FleetTesting.repo();
    new Chart(new LayoutDirectory(repo.apps, 'demo'), 'plain');
    configMap(new ManifestFile(repo, 'orphan'), 'orphan');
    expect(problemsOf(repo)).toEqual([
      '[apps/demo/plain] is a plain cdk8s Chart, which the layout writer cannot place: use ManifestFile (a Chart that knows its file name) inside a LayoutDirectory',
      '[orphan] file "orphan.yaml" is not inside any LayoutDirectory, so it has no place in the repository: create it inside a directory such as repo.infrastructure',
    ]);
  });

  it('rejects two files, or two directories, at one path', () => {
    const repo = FleetTesting.repo();
    const dir = new LayoutDirectory(repo.apps, 'demo');
    configMap(new ManifestFile(dir, 'one', { fileName: 'same.yaml' }), 'one');
    configMap(new ManifestFile(dir, 'two', { fileName: 'same.yaml' }), 'two');
    new LayoutDirectory(repo.apps, 'other', { dirName: 'demo' });
    expect(problemsOf(repo)).toEqual([
      '[apps/demo/two] file "apps/demo/same.yaml" is already written by apps/demo/one: give one of them another fileName',
      '[apps/other] directory "apps/demo" is already declared by apps/demo: two constructs cannot share one directory; give one of them another dirName',
    ]);
  });

  it('rejects an object defined twice in one kustomize build, naming both files', () => {
    const repo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.infrastructure, 'base');
    configMap(new ManifestFile(new LayoutDirectory(base, 'a'), 'config'), 'shared');
    configMap(new ManifestFile(new LayoutDirectory(base, 'b'), 'config'), 'shared');
    expect(problemsOf(repo)).toEqual([
      '[infrastructure/base] object ConfigMap default/shared is defined twice in the build of "infrastructure/base" (in infrastructure/base/a/config.yaml and in infrastructure/base/b/config.yaml); kustomize refuses duplicate objects: keep one',
    ]);
  });

  it('rejects a patch whose target is not part of the overlay build (kustomize would drop it silently)', () => {
    const repo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.infrastructure, 'base');
    const elsewhere = new LayoutDirectory(repo.infrastructure, 'elsewhere');
    configMap(new ManifestFile(base, 'config'), 'in-base');
    const stray = configMap(new ManifestFile(elsewhere, 'config'), 'not-in-base', 'other');
    const overlay = new LayoutDirectory(new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false }), 'dev');
    overlay.addResource(base);
    new ObjectPatch(overlay, 'stray-patch', { target: stray, patch: { data: { k: 'dev' } } });
    expect(problemsOf(repo)).toEqual([
      '[infrastructure/overlays/dev/stray-patch] patch "infrastructure/overlays/dev/stray-patch.yaml" targets ConfigMap other/not-in-base, which is not part of the build of "infrastructure/overlays/dev"; kustomize would apply it to nothing without a word. Build the directory that holds the object into "infrastructure/overlays/dev" (addResource), or patch an object that is there',
    ]);
  });

  it('rejects a patch that tries to rename, move or retype its target', () => {
    const repo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.infrastructure, 'base');
    const target = configMap(new ManifestFile(base, 'config'), 'cfg');
    const overlay = new LayoutDirectory(repo.infrastructure, 'dev');
    overlay.addResource(base);
    new ObjectPatch(overlay, 'bad', {
      target,
      patch: { kind: 'Secret', metadata: { name: 'renamed', namespace: 'moved' } as any },
    });
    expect(problemsOf(repo)).toEqual([
      '[infrastructure/dev/bad] patch.kind is set to "Secret": a patch cannot change the kind of its target; leave it out (it is taken from the target object)',
      '[infrastructure/dev/bad] patch.metadata.name is set to "renamed": a patch cannot rename or move its target; leave it out (it is taken from the target object)',
      '[infrastructure/dev/bad] patch.metadata.namespace is set to "moved": a patch cannot rename or move its target; leave it out (it is taken from the target object)',
    ]);
  });

  it('rejects directories that include each other, an empty included directory, and a sub-directory added twice', () => {
    const repo = FleetTesting.repo();
    const a = new LayoutDirectory(repo.apps, 'a');
    const b = new LayoutDirectory(repo.apps, 'b');
    configMap(new ManifestFile(a, 'config'), 'a');
    a.addResource(b);
    b.addResource(a);
    const c = new LayoutDirectory(repo.apps, 'c');
    c.addResource(new LayoutDirectory(repo.apps, 'empty'));
    const child = new LayoutDirectory(c, 'child');
    configMap(new ManifestFile(child, 'config'), 'child');
    c.addResource(child);
    expect(problemsOf(repo)).toEqual([
      '[apps/a] directories include each other in a cycle (apps/a -> apps/b -> apps/a); kustomize cannot build that: remove one addResource()',
      '[apps/c] includes directory "apps/empty", which has nothing to write; add objects to it or remove the addResource()',
      '[apps/c] lists directory "apps/c/child" twice: it is a sub-directory (included automatically) and was also added with addResource(); remove the addResource()',
    ]);
  });

  it('reports problems from construct validations together with layout problems, and writes no file', () => {
    const repo = FleetTesting.repo();
    const dir = new LayoutDirectory(repo.apps, 'demo');
    const file = new ManifestFile(dir, 'config');
    configMap(file, 'ok');
    file.node.addValidation({ validate: () => ['spec.interval "5 minutes" is not a Go duration; use e.g. "5m"'] });
    new LayoutDirectory(repo.apps, 'BAD');
    expect(() => repo.write()).toThrowError(
      'The fleet has 2 problems; nothing was written:\n' +
      '  [apps/BAD] dirName "BAD" is not a valid directory name: use lowercase letters, digits, \'-\', \'.\' or \'_\', starting and ending with a letter or digit (e.g. "external-dns")\n' +
      '  [apps/demo/config] spec.interval "5 minutes" is not a Go duration; use e.g. "5m"',
    );
    expect(readTree(repo.rootDir)).toEqual({});
  });

  it('skips empty files and directories instead of writing empty YAML', () => {
    const repo = FleetTesting.repo();
    const dir = new LayoutDirectory(repo.apps, 'demo');
    new ManifestFile(dir, 'nothing');
    new LayoutDirectory(dir, 'empty-child');
    configMap(new ManifestFile(dir, 'config'), 'cfg');
    expect(Object.keys(FleetTesting.synth(repo))).toEqual(['apps/demo/config.yaml', 'apps/demo/kustomization.yaml']);
    expect(FleetTesting.synthDocuments(repo)['apps/demo/kustomization.yaml'][0].resources).toEqual(['config.yaml']);
  });
});

describe('directory wiring', () => {
  it('rejects a directory name ending like a YAML file', () => {
    const repo = FleetTesting.repo();
    new LayoutDirectory(repo.apps, 'x', { dirName: 'x.yaml' });
    expect(problemsOf(repo)).toEqual([
      '[apps/x] dirName "x.yaml" ends like a YAML file, which would collide with generated files: drop the extension (e.g. "x")',
    ]);
  });

  it('rejects including a directory kustomize does not build, a directory of another repository, and patches nothing builds', () => {
    const repo = FleetTesting.repo();
    const grouping = new LayoutDirectory(repo.apps, 'grouping', { kustomize: false });
    const child = new LayoutDirectory(grouping, 'child');
    const target = configMap(new ManifestFile(child, 'config'), 'cfg');
    new ObjectPatch(grouping, 'orphan-patch', { target, patch: { data: { k: 'x' } } });
    const user = new LayoutDirectory(repo.apps, 'user');
    configMap(new ManifestFile(user, 'config'), 'user');
    user.addResource(grouping);
    const other = FleetTesting.repo();
    user.addResource(new LayoutDirectory(other.apps, 'foreign'));
    grouping.addResource(child);
    expect(problemsOf(repo)).toEqual([
      '[apps/grouping] has resources added with addResource(), but kustomize: false means no kustomization.yaml lists them; set kustomize: true or remove the addResource()',
      '[apps/grouping/orphan-patch] patch "apps/grouping/orphan-patch.yaml" is in a directory that kustomize does not build (kustomize: false), so nothing would apply it: put it in a built directory such as an overlay',
      '[apps/user] includes directory "apps/grouping", which has no kustomization.yaml (kustomize: false), so kustomize cannot build it: include a directory built by kustomize',
      '[apps/user] includes directory apps/foreign, which belongs to another GitOpsRepo; include only directories of this repository',
    ]);
  });
});
