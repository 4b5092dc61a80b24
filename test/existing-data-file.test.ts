import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExistingFile, FileRole, LayoutDirectory } from '../src';
import { configMapHash } from '../src/core/kustomize/config-map-generator';
import { fluxFleet } from './flux-fixture';

const VALUES = '# values written by hand, comments and all\nreplicaCount: 2\n';

describe('ExistingFile as a generator\'s data file (role: FileRole.DATA)', () => {
  function fleet(write = true) {
    const f = fluxFleet();
    const team = new LayoutDirectory(f.apps, 'team', { namespace: 'team-a' });
    const values = new ExistingFile(team, 'values', { fileName: 'podinfo-values.yaml', role: FileRole.DATA });
    team.addConfigMapGenerator({ name: 'podinfo-values', files: [{ key: 'values.yaml', file: values }] });
    if (write) {
      const file = path.join(f.repo.rootDir, 'apps/base/team/podinfo-values.yaml');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, VALUES);
    }
    return f;
  }

  it('is read by the generator as the bytes the team wrote (no generated header, so the hash is the original\'s), and not listed as a resource', () => {
    const f = fleet();
    const { files, model } = f.repo.synthModel();
    const kustomization = parse(files.get('apps/base/team/kustomization.yaml')!);
    expect(kustomization.resources ?? []).not.toContain('podinfo-values.yaml');
    expect(kustomization.configMapGenerator).toEqual([{ name: 'podinfo-values', files: ['values.yaml=podinfo-values.yaml'] }]);
    expect(files.has('apps/base/team/podinfo-values.yaml')).toBe(false); // never written: the file is the team's
    const [configMap] = model.cluster('dev')!.ofKind('ConfigMap', 'team-a');
    expect(configMap.doc.data).toEqual({ 'values.yaml': VALUES });
    expect(configMap.doc.metadata.name).toBe(`podinfo-values-${configMapHash(configMap.doc)}`);
  });

  it('is still a file the team owns: synth says so when it is missing', () => {
    expect(() => fleet(false).repo.synthModel()).toThrow(/apps\/base\/team\/podinfo-values\.yaml" does not exist: ExistingFile declares a file you write by hand/);
  });
});
