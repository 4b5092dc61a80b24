import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FLUX_OPERATOR_VERSION } from '../src';
import { SEALING_KEY_LABEL } from '../src/bootstrap';
import { createExampleFleet } from '../src/example-fleet';
import { createBootstrapApp } from '../src/example-fleet/bootstrap';
import { FleetTesting } from '../src/testing';

const ENVS = ['development', 'staging', 'production'];

/** The example fleet's bootstrap: one stack per environment, from the files synth writes. */
function synthesized() {
  const repo = createExampleFleet();
  const files = repo.synthLayout();
  const { stacks } = createBootstrapApp(repo, FleetTesting.tempDir());
  return { repo, files, stacks: stacks.map(s => ({ ...s, json: JSON.parse(Testing.synth(s.stack)) as Record<string, any> })) };
}

describe('the example fleet\'s bootstrap (cdktf, one apply per cluster)', () => {
  const { repo, files, stacks } = synthesized();

  it('has one stack per environment, and no second (sync) stack', () => {
    expect(stacks.map(s => s.stack.node.id)).toEqual(ENVS);
  });

  for (const env of ENVS) {
    it(`${env}: the operator, the committed FluxInstance, the sealing key and the deploy key, every credential from variables`, () => {
      const s = stacks.find(x => x.target.name === env)!;
      const json = s.json;
      const cluster = repo.environment(env).cluster.repoPath;
      const instance = parse(files.get(`${cluster}/flux-system/flux-instance.yaml`)!);
      expect(instance.kind).toBe('FluxInstance');
      expect(json.resource.helm_release['flux-operator']).toMatchObject({ chart: 'flux-operator', version: FLUX_OPERATOR_VERSION, namespace: 'flux-system' });
      expect(parse(json.resource.helm_release['flux-instance'].values[0])).toEqual({ instance: instance.spec });
      expect(instance.spec.sync).toMatchObject({ kind: 'GitRepository', path: cluster, pullSecret: 'flux-system' });
      expect(json.resource.kubernetes_secret_v1['sealing-key']).toMatchObject({
        metadata: { name: 'sealed-secrets-key', namespace: 'flux-system', labels: { [SEALING_KEY_LABEL]: 'active' } },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': s.target.sealingCertificate!.pem, 'tls.key': '${file(var.sealing_key_path)}' },
      });
      expect(json.resource.kubernetes_secret_v1['git-credentials'].metadata.name).toBe('flux-system');
      expect(Object.keys(json.variable).sort()).toEqual(['git_identity_path', 'git_known_hosts_path', 'kube_context', 'kubeconfig_path', 'sealing_key_path']);
      expect(json.variable.sealing_key_path.sensitive).toBe(true);
      expect(json.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
      expect(json.resource.kubernetes_manifest).toBeUndefined(); // nothing that needs a CRD at plan time
      expect(JSON.stringify(json)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    });
  }

  it('the cluster sync the operator creates downloads the layout only (spec.ignore patched in)', () => {
    const instance = parse(files.get('clusters/cluster-dev/flux-system/flux-instance.yaml')!);
    expect(instance.spec.kustomize.patches[0].target).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    expect(instance.spec.kustomize.patches[0].patch).toContain('path: /spec/ignore');
  });

  it('sealed-secrets key goes where the layout installs the controller', () => {
    const docs = FleetTesting.synthDocuments(repo)['infrastructure/base/sealed-secrets/release.yaml'];
    for (const s of stacks) expect(s.json.resource.kubernetes_secret_v1['sealing-key'].metadata.namespace).toBe(docs[0].spec.targetNamespace);
  });

  it('npm run bootstrap:synth writes cdktf.out/stacks/<env>/cdk.tf.json for every environment', () => {
    const out = FleetTesting.tempDir();
    const { app } = createBootstrapApp(createExampleFleet(), out);
    app.synth();
    for (const env of ENVS) expect(fs.existsSync(path.join(out, 'stacks', env, 'cdk.tf.json')), env).toBe(true);
    expect(fs.readdirSync(path.join(out, 'stacks')).sort()).toEqual([...ENVS].sort());
  });
});
