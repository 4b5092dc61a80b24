import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { mergedPath, strategicMerge, strategicMergeProblems } from '../src/core/strategic-merge';
import { FleetTesting, kubectlAvailable } from '../src/testing';

const HAS_KUBECTL = kubectlAvailable();
const SKIP_NOTE = HAS_KUBECTL ? '' : ' [SKIPPED: kubectl not found on PATH; install kubectl to compare the strategic merge with kustomize]';
if (!HAS_KUBECTL) console.warn(`strategic-merge.test.ts:${SKIP_NOTE}`);

/** The object `kubectl kustomize` makes of `base` with `patch` applied, or the error it fails with. */
function kustomize(base: any, patch: any): any {
  const dir = FleetTesting.tempDir();
  fs.mkdirSync(path.join(dir, 'base'));
  fs.mkdirSync(path.join(dir, 'overlay'));
  fs.writeFileSync(path.join(dir, 'base/object.yaml'), stringify(base));
  fs.writeFileSync(path.join(dir, 'base/kustomization.yaml'), 'resources: [object.yaml]\n');
  fs.writeFileSync(path.join(dir, 'overlay/patch.yaml'), stringify(patch));
  fs.writeFileSync(path.join(dir, 'overlay/kustomization.yaml'), 'resources: [../base]\npatches: [{path: patch.yaml}]\n');
  const result = spawnSync('kubectl', ['kustomize', path.join(dir, 'overlay')], { encoding: 'utf8' });
  return result.status === 0 ? parseAllDocuments(result.stdout)[0].toJS() : { error: true };
}

// Cases found by an independent review of the merge against kubectl kustomize v5.
const dep = (spec: any) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec });
const cases: Record<string, [any, any]> = {};
const tpl = (podSpec: any, meta: any = {}) => dep({ template: { metadata: meta, spec: podSpec } });
cases['containers order: patch adds new + modifies existing'] = [
  tpl({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
  tpl({ containers: [{ name: 'c', image: 'c:1' }, { name: 'b', image: 'b:2' }] })];
cases['env patch item order'] = [
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }, { name: 'Z', value: '3' }] }] }),
  tpl({ containers: [{ name: 'a', env: [{ name: 'Z', value: '9' }, { name: 'W', value: '0' }] }] })];
cases['ports same containerPort diff protocol'] = [
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }] }),
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns-udp' }] }] })];
cases['service ports port+protocol'] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 53, protocol: 'TCP', name: 't' }, { port: 53, protocol: 'UDP', name: 'u' }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 53, protocol: 'UDP', targetPort: 5353 }] } }];
cases['tolerations replaced'] = [
  tpl({ tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'a' }] }),
  tpl({ tolerations: [{ key: 'b', operator: 'Exists' }] })];
cases['topologySpreadConstraints'] = [
  tpl({ topologySpreadConstraints: [{ topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 }], containers: [{ name: 'a' }] }),
  tpl({ topologySpreadConstraints: [{ topologyKey: 'host', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 2 }] })];
cases['null deletes in merged item'] = [
  tpl({ containers: [{ name: 'a', image: 'x', args: ['--a'] }] }),
  tpl({ containers: [{ name: 'a', args: null }] })];
cases['null inside new list item'] = [
  tpl({ containers: [{ name: 'a', image: 'x' }] }),
  tpl({ containers: [{ name: 'b', image: 'y', args: null }] })];
cases['null for absent key'] = [
  tpl({ containers: [{ name: 'a', image: 'x' }] }),
  dep({ replicas: null, template: { spec: { containers: [{ name: 'a', resources: null }] } } })];
cases['empty map in patch'] = [
  tpl({ containers: [{ name: 'a', image: 'x' }] }),
  dep({ template: { metadata: { annotations: {} } } })];
cases['empty list in patch on merge list'] = [
  tpl({ containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }] }),
  tpl({ containers: [{ name: 'a', env: [] }] })];
cases['finalizers set'] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a', 'b'] }, data: { x: '1' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['c', 'a'] } }];
const hr = (spec: any) => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'h', namespace: 'n' }, spec });
cases['CRD list replaced'] = [
  hr({ dependsOn: [{ name: 'a' }, { name: 'b' }], values: { l: [{ name: 'x', v: 1 }] } }),
  hr({ dependsOn: [{ name: 'c' }], values: { l: [{ name: 'x', w: 2 }] } })];
cases['CRD null in values'] = [
  hr({ values: { a: 1, b: { c: 2 } } }),
  hr({ values: { a: null, b: { c: null }, z: null } })];
cases['CRD null inside replaced list'] = [
  hr({ values: { l: [1] } }),
  hr({ values: { l: [{ a: null, b: 1 }] } })];
cases['CRD empty map'] = [
  hr({ values: { a: 1 } }),
  hr({ values: {} })];
cases['CRD empty map new key'] = [
  hr({ interval: '1m' }),
  hr({ values: {} })];
cases['CRD type change map->scalar'] = [
  hr({ values: { a: { b: 1 } } }),
  hr({ values: { a: 'x' } })];
cases['CRD type change scalar->map'] = [
  hr({ values: { a: 'x' } }),
  hr({ values: { a: { b: 1 } } })];
cases['volumes merge'] = [
  tpl({ containers: [{ name: 'a' }], volumes: [{ name: 'v', configMap: { name: 'c' } }] }),
  tpl({ volumes: [{ name: 'v', secret: { secretName: 's' } }] })];
cases['imagePullSecrets serviceaccount'] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's' }, imagePullSecrets: [{ name: 'a' }] },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's' }, imagePullSecrets: [{ name: 'b' }] }];
cases['cronjob containers'] = [
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } } } },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'z' }] } } } } } }];
cases['statefulset vct'] = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'a' }, spec: { x: 1 } }, { metadata: { name: 'b' } }] } },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'a' }, spec: { y: 1 } }] } }];
cases['container int value as string key'] = [
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'h' }] }] }),
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }] })];
cases['volumeMounts merge'] = [
  tpl({ containers: [{ name: 'a', volumeMounts: [{ mountPath: '/a', name: 'v' }, { mountPath: '/b', name: 'w' }] }] }),
  tpl({ containers: [{ name: 'a', volumeMounts: [{ mountPath: '/b', readOnly: true }] }] })];
cases['labels null'] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1', b: '2' } } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: null } } }];
cases['networkpolicy ingress'] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { ingress: [{ ports: [{ port: 80 }] }] } }];
cases['duplicate keys in patch'] = [
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }),
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: '2' }, { name: 'X', value: '3' }] }] })];
cases['ingress rules'] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ host: 'a' }], tls: [{ hosts: ['a'] }] } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ host: 'b' }] } }];
cases['hostAliases'] = [
  tpl({ containers: [{ name: 'a' }], hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] }),
  tpl({ hostAliases: [{ ip: '1.1.1.1', hostnames: ['b'] }] })];
cases['env valueFrom switch'] = [
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }),
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] })];
cases['pod template metadata labels null'] = [
  tpl({ containers: [{ name: 'a' }] }, { labels: { a: '1' } }),
  tpl({}, { labels: { a: null } })];
cases['unknown group Deployment-like CRD'] = [
  { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } } },
  { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: '2' }] } } } }];
cases['extensions/v1beta1 deployment'] = [
  { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } } },
  { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: '2' }] } } } }];
cases['resourceClaims'] = [
  tpl({ containers: [{ name: 'a', resources: { claims: [{ name: 'x' }] } }] }),
  tpl({ containers: [{ name: 'a', resources: { claims: [{ name: 'y' }] } }] })];
cases['secret stringData'] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '2' } }];
cases['list of scalars in core (args)'] = [
  tpl({ containers: [{ name: 'a', args: ['1', '2'] }] }),
  tpl({ containers: [{ name: 'a', args: ['3'] }] })];
cases['patch list onto scalar'] = [
  tpl({ containers: [{ name: 'a' }], volumes: null }),
  tpl({ volumes: [{ name: 'v', emptyDir: {} }] })];
cases['env with null value merged'] = [
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }] }),
  tpl({ containers: [{ name: 'a', env: [{ name: 'X', value: null, valueFrom: { fieldRef: { fieldPath: 'a' } } }] }] })];
cases['ephemeral'] = [
  tpl({ containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'a' }] }),
  tpl({ readinessGates: [{ conditionType: 'b' }] })];
cases['rbac rules'] = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r' }, subjects: [{ kind: 'User', name: 'a' }], roleRef: { kind: 'Role', name: 'x', apiGroup: 'rbac.authorization.k8s.io' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r' }, subjects: [{ kind: 'User', name: 'b' }] }];

cases['schedulingGates'] = [
  tpl({ containers: [{ name: 'a' }], schedulingGates: [{ name: 'a' }] }),
  tpl({ schedulingGates: [{ name: 'b' }] })];
cases['resizePolicy'] = [
  tpl({ containers: [{ name: 'a', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }] }] }),
  tpl({ containers: [{ name: 'a', resizePolicy: [{ resourceName: 'memory', restartPolicy: 'RestartContainer' }] }] })];
cases['pod resourceClaims'] = [
  tpl({ containers: [{ name: 'a' }], resourceClaims: [{ name: 'a', resourceClaimName: 'x' }] }),
  tpl({ resourceClaims: [{ name: 'b', resourceClaimName: 'y' }] })];
cases['volumeDevices'] = [
  tpl({ containers: [{ name: 'a', volumeDevices: [{ devicePath: '/a', name: 'x' }] }] }),
  tpl({ containers: [{ name: 'a', volumeDevices: [{ devicePath: '/b', name: 'y' }] }] })];
cases['ports without protocol (refused)'] = [
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] }),
  tpl({ containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP', name: 'h' }] }] })];
cases['sa secrets'] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's' }, secrets: [{ name: 'a' }] },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's' }, secrets: [{ name: 'b' }] }];
cases['ownerReferences'] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ownerReferences: [{ uid: '1', name: 'a', kind: 'X', apiVersion: 'v1' }] } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ownerReferences: [{ uid: '2', name: 'b', kind: 'X', apiVersion: 'v1' }] } }];
cases['pdb/hpa metrics'] = [
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { metrics: [{ type: 'Resource', resource: { name: 'cpu' } }] } },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { metrics: [{ type: 'Resource', resource: { name: 'memory' } }] } }];
cases['null whole container list'] = [
  tpl({ containers: [{ name: 'a' }], volumes: [{ name: 'v' }] }),
  tpl({ volumes: null })];
cases['new map with null inside'] = [
  hr({ interval: '1m' }),
  hr({ values: { a: null, b: 1 } })];


describe(`strategic merge as kustomize does it${SKIP_NOTE}`, () => {
  for (const [name, [base, patch]] of Object.entries(cases)) {
    it.skipIf(!HAS_KUBECTL)(name, () => {
      const refused = strategicMergeProblems(String(base.apiVersion), String(base.kind), patch);
      if (refused.length > 0) return; // ObjectPatch refuses it at synth, with this message
      let model: any;
      try {
        model = strategicMerge(base, patch);
      } catch (e) {
        // a merge kustomize cannot do, or does unpredictably: synth reports it for the patch
        if ((e as Error).message.includes('kustomize then drops')) return;
        model = { error: true };
      }
      expect(model).toEqual(kustomize(base, patch));
    });
  }

  it('refuses patches kustomize would mishandle', () => {
    const ports = (port: Record<string, unknown>) => ({ spec: { template: { spec: { containers: [{ name: 'a', ports: [port] }] } } } });
    expect(strategicMergeProblems('apps/v1', 'Deployment', ports({ containerPort: 80 }))).toEqual([
      'spec.template.spec.containers[].ports[0] has no "protocol": kustomize merges this list by "containerPort" and "protocol" and mishandles an item without them (e.g. protocol: "TCP"); set them in the patch and in the object',
    ]);
    const env = { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'X', value: '2' }] }] } } } };
    expect(strategicMergeProblems('apps/v1', 'Deployment', env)).toEqual([
      'spec.template.spec.containers[].env[1] repeats name "X" of an earlier item: kustomize would keep only the first; merge them into one item',
    ]);
  });
});

describe('lists merged by several keys', () => {
  it('merges matching items in place and puts new ones first, in the patch\'s order (as kubectl kustomize does)', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x', ports: [
        { containerPort: 8080, protocol: 'TCP', name: 'a' }, { containerPort: 8081, protocol: 'TCP', name: 'b' }, { containerPort: 8082, protocol: 'UDP', name: 'c' },
      ] }] } } },
    };
    const patch = { spec: { template: { spec: { containers: [{ name: 'c', ports: [
      { containerPort: 9000, protocol: 'TCP' }, { containerPort: 8081, protocol: 'TCP', name: 'b2' }, { containerPort: 9001, protocol: 'TCP' },
    ] }] } } } };
    const merged = strategicMerge(deployment, patch) as typeof deployment;
    expect(merged.spec.template.spec.containers[0].ports.map(p => `${p.containerPort}${p.name ? ` ${p.name}` : ''}`)).toEqual(['9000', '9001', '8080 a', '8081 b2', '8082 c']);
    // a field of an existing item follows it to where the merge puts it
    expect(mergedPath(deployment, patch, ['spec', 'template', 'spec', 'containers', 0, 'ports', 2, 'name'])).toEqual(['spec', 'template', 'spec', 'containers', 0, 'ports', 4, 'name']);
  });
});
