import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { bootstrapTargets, createBootstrapApp } from '../src/example-fleet/bootstrap';
import { FLUX_CHART_VERSION, FluxBootstrapStack, SEALING_KEY_LABEL } from '../src/bootstrap';
import { FleetTesting } from '../src/testing';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const ENVS = ['development', 'staging', 'production'];

function synthesized() {
  const repo = createExampleFleet();
  const { stacks } = createBootstrapApp(repo, FleetTesting.tempDir());
  return { repo, stacks: stacks.map(s => ({ ...s, bootstrapJson: Testing.synth(s.bootstrap), syncJson: Testing.synth(s.sync) })) };
}

describe('cdktf bootstrap stacks', () => {
  const { repo, stacks } = synthesized();

  it('has a bootstrap and a sync stack per environment, the sync stack depending on the bootstrap', () => {
    expect(stacks.map(s => s.target.name)).toEqual(ENVS);
    for (const s of stacks) {
      expect(s.bootstrap.node.id).toBe(s.target.name);
      expect(s.sync.node.id).toBe(`${s.target.name}-sync`);
      expect(s.sync.dependencies).toContain(s.bootstrap);
    }
  });

  for (const env of ENVS) {
    it(`${env}: namespace, pinned flux2 release, sealing key and deploy key, all credentials from variables`, () => {
      const s = stacks.find(x => x.target.name === env)!;
      const json = s.bootstrapJson;
      expect(json).toMatchSnapshot();
      expect(Testing.toHaveResourceWithProperties(json, NamespaceV1.tfResourceType, { metadata: { name: 'flux-system' } })).toBe(true);
      expect(Testing.toHaveResourceWithProperties(json, Release.tfResourceType, {
        name: 'flux2', chart: 'flux2', repository: 'https://fluxcd-community.github.io/helm-charts', version: FLUX_CHART_VERSION,
      })).toBe(true);
      expect(Testing.toHaveResourceWithProperties(json, SecretV1.tfResourceType, {
        metadata: { name: 'sealed-secrets-key', namespace: 'flux-system', labels: { [SEALING_KEY_LABEL]: 'active' } },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': s.target.sealingCertificate.pem, 'tls.key': '${file(var.sealing_key_path)}' },
      })).toBe(true);
      expect(FLUX_CHART_VERSION).toMatch(/^\d+\.\d+\.\d+$/); // exact: the Helm provider rejects ranges
      const parsed = JSON.parse(json);
      expect(Object.keys(parsed.variable).sort()).toEqual(['git_identity_path', 'git_known_hosts_path', 'kube_context', 'kubeconfig_path', 'sealing_key_path']);
      expect(parsed.variable.sealing_key_path.sensitive).toBe(true);
      expect(parsed.variable.git_identity_path.sensitive).toBe(true);
      expect(parsed.variable.kube_context.default).toBeUndefined();
      expect(parsed.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } }); // inside the git-ignored cdktf.out/stacks/<env>/
      expect(parsed.terraform.required_providers.tls).toEqual({ source: 'hashicorp/tls', version: '~> 4.0' });
      expect(parsed.data.tls_public_key['sealing-key-public'].private_key_pem).toBe('${file(var.sealing_key_path)}');
      expect(parsed.provider.kubernetes[0]).toEqual({ config_context: '${var.kube_context}', config_path: '${var.kubeconfig_path}' });
      expect(parsed.provider.helm[0].kubernetes).toEqual({ config_context: '${var.kube_context}', config_path: '${var.kubeconfig_path}' });
      expect(json).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/); // only the public certificate is embedded
    });
  }

  it('syncs exactly the objects and the path the layout writes for that cluster', () => {
    const files = FleetTesting.synthDocuments(repo);
    for (const s of stacks) {
      const manifests = Object.values(JSON.parse(s.syncJson).resource[Manifest.tfResourceType]).map((r: any) => r.manifest);
      const cluster = `clusters/${s.target.sync.kustomization.directory!.dirName}`;
      const written = files[`${cluster}/flux-system/gotk-sync.yaml`];
      expect(manifests).toEqual(written);
      expect(s.sync.path).toBe(`./${cluster}`);
      expect(written.find(d => d.kind === 'Kustomization')!.spec.path).toBe(`./${cluster}`);
    }
  });

  it('installs the very certificate the environment\'s SealedSecrets are sealed for, with a key checked to match it', () => {
    for (const s of stacks) {
      const secret = JSON.parse(s.bootstrapJson).resource[SecretV1.tfResourceType]['sealing-key'];
      const cert = new X509Certificate(secret.data['tls.crt']);
      const fingerprint = `sha256:${cert.fingerprint256.replace(/:/g, '').toLowerCase()}`;
      expect(fingerprint).toBe(s.target.sealingCertificate.fingerprint);
      const store = parse(fs.readFileSync(path.join(PROJECT_ROOT, `sealed-secrets/${s.target.name}.yaml`), 'utf8'));
      for (const entry of store.secrets) for (const v of Object.values<any>(entry.data)) expect(v.certificate).toBe(fingerprint);
      const [precondition] = secret.lifecycle.precondition;
      const expectedKey = JSON.parse(/== ("[\s\S]*")\)\}$/.exec(precondition.condition)![1]);
      expect(precondition.condition).toContain('trimspace(data.tls_public_key.sealing-key-public.public_key_pem)');
      expect(expectedKey).toBe(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString().trim());
      expect(precondition.error_message).toContain(`The key at sealing_key_path does not belong to the certificate committed for ${s.target.name}`);
    }
  });

  it('installs Flux with the multi-tenancy lockdown exactly for targets that enable it', () => {
    const [target] = bootstrapTargets(createExampleFleet());
    const app = new App({ outdir: FleetTesting.tempDir() });
    const locked = new FluxBootstrapStack(app, { ...target, name: 'locked', lockdown: {} });
    const custom = new FluxBootstrapStack(app, { ...target, name: 'custom', lockdown: { defaultServiceAccount: 'nobody' }, fluxValues: { logLevel: 'debug' } });
    const values = (stack: FluxBootstrapStack) => JSON.parse(Testing.synth(stack)).resource.helm_release.flux2.values;
    expect(values(locked).map((v: string) => parse(v))).toEqual([{ multitenancy: { enabled: true, defaultServiceAccount: 'default' } }]);
    expect(values(custom).map((v: string) => parse(v))).toEqual([{ logLevel: 'debug', multitenancy: { enabled: true, defaultServiceAccount: 'nobody' } }]);
    for (const s of stacks) expect(JSON.parse(s.bootstrapJson).resource.helm_release.flux2.values).toBeUndefined();
  });

  it('sealed-secrets key goes where the layout installs the controller', () => {
    const docs = FleetTesting.synthDocuments(repo)['infrastructure/base/sealed-secrets/release.yaml'];
    for (const s of stacks) {
      const secret = JSON.parse(s.bootstrapJson).resource[SecretV1.tfResourceType]['sealing-key'];
      expect(secret.metadata.namespace).toBe(docs[0].spec.targetNamespace);
    }
  });

  it('npm run bootstrap:synth writes cdktf.out/stacks/<env>/cdk.tf.json for every stack', () => {
    const out = FleetTesting.tempDir();
    const { app } = createBootstrapApp(createExampleFleet(), out);
    app.synth();
    for (const env of ENVS) {
      for (const stack of [env, `${env}-sync`]) expect(fs.existsSync(path.join(out, 'stacks', stack, 'cdk.tf.json')), stack).toBe(true);
    }
  });
});

