// The image automation fields typed for #19: how each renders, and what each refuses.
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { ImageRepository, ImageRepositoryProps, ManifestFile } from '../src';
import { FleetTesting } from '../src/testing';
import { describeSelector, LabelSelectorOperator, selectorSelects } from '../src/image/policy-selector';
import { emittedPaths } from './crd-coverage/coverage';
import { crossNamespaceFixtures, images } from './crd-coverage/image';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';
import { imageFleet } from './image-fixture';
import { crdErrors } from './support/crd-schemas';

type Fleet = ReturnType<typeof fluxFleet>;

/** The spec of the one document of `kind` named `name`, checked against its CRD. */
function specOf(repo: Fleet['repo'], kind: string, name: string): Record<string, any> {
  const docs = Object.values(FleetTesting.synthDocuments(repo)).flat().filter(d => d.kind === kind && d.metadata.name === name);
  expect(docs).toHaveLength(1);
  expect(crdErrors(docs[0])).toEqual([]);
  return docs[0].spec;
}

function registry(props: Partial<ImageRepositoryProps>, f = fluxFleet()): Fleet {
  new ImageRepository(new ManifestFile(f.apps, 'registry'), 'r', { metadata: { name: 'app', namespace: 'flux-system' }, image: 'registry.example.com/org/app', ...props });
  return f;
}

describe('ImageRepository serviceAccountName', () => {
  it('takes a cdk8s-plus ServiceAccount (declared as a reference) or a name', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'accounts');
    const account = new kplus.ServiceAccount(file, 'sa', { metadata: { name: 'ecr-reader', namespace: 'flux-system' } });
    const repository = new ImageRepository(new ManifestFile(f.apps, 'registry'), 'r', {
      metadata: { name: 'app', namespace: 'flux-system' }, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', provider: 'aws', serviceAccountName: account,
    });
    expect(specOf(f.repo, 'ImageRepository', 'app').serviceAccountName).toBe('ecr-reader');
    expect(repository.fluxReferences()).toContainEqual({ field: 'spec.serviceAccountName', target: { apiVersion: 'v1', kind: 'ServiceAccount', name: 'ecr-reader', namespace: 'flux-system' }, object: account, crossNamespace: false });
    expect(problemsOf(f.repo)).toEqual([]);
    const byName = registry({ serviceAccountName: 'puller' });
    expect(specOf(byName.repo, 'ImageRepository', 'app').serviceAccountName).toBe('puller');
  });

  it('is refused in another namespace than the ImageRepository\'s', () => {
    const f = fluxFleet();
    const account = new kplus.ServiceAccount(new ManifestFile(f.apps, 'accounts'), 'sa', { metadata: { name: 'ecr-reader', namespace: 'apps' } });
    registry({ provider: 'aws', serviceAccountName: account }, f);
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/registry/r] spec.serviceAccountName: ServiceAccount apps/ecr-reader is in another namespace, but the controller looks for it in the ImageRepository\'s ("flux-system"): define the ServiceAccount there',
    ]);
  });

  it('is refused when it is not a name', () => {
    expect(problemsOf(registry({ serviceAccountName: 'Image Puller' }).repo)).toEqual([
      '[apps/base/registry/r] spec.serviceAccountName "Image Puller" is not a valid Kubernetes name: use at most 253 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "external-dns")',
    ]);
  });
});

describe('ImageUpdateAutomation policySelector matchExpressions', () => {
  it('renders the requirements next to the labels', () => {
    const f = imageFleet({ automation: { policySelector: { matchLabels: { team: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['legacy'] }, { key: 'frozen', operator: LabelSelectorOperator.DOES_NOT_EXIST }] } } });
    f.policy.apiObject.metadata.addLabel('team', 'web');
    expect(specOf(f.repo, 'ImageUpdateAutomation', 'apps').policySelector).toEqual({
      matchLabels: { team: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['legacy'] }, { key: 'frozen', operator: 'DoesNotExist' }],
    });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('refuses an unknown operator, In without values, Exists with values, and a bad key', () => {
    const f = imageFleet({
      automation: {
        policySelector: {
          matchExpressions: [
            { key: 'tier', operator: 'Equals' as never, values: ['web'] },
            { key: 'tier', operator: 'In' },
            { key: 'tier', operator: 'Exists', values: ['web'] },
            { key: 'my tier', operator: 'Exists' },
          ],
        },
      },
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/images/automation] spec.policySelector.matchExpressions[0].operator "Equals" is not an operator: use "In", "NotIn", "Exists", "DoesNotExist"',
      '[apps/base/images/automation] spec.policySelector.matchExpressions[1].values is empty: operator "In" needs at least one value',
      '[apps/base/images/automation] spec.policySelector.matchExpressions[2].values ["web"] is set, but operator "Exists" takes no values: drop them, or use "In"/"NotIn"',
      '[apps/base/images/automation] spec.policySelector.matchExpressions[3].key "my tier" is not a label key: use an optional DNS prefix and "/", then at most 63 letters, digits, \'-\', \'_\' or \'.\' (e.g. "app.kubernetes.io/part-of")',
    ]);
  });

  it('is read by the marker checks: a requirement the policy fails leaves its markers dead', () => {
    const f = imageFleet({ automation: { policySelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] } } });
    const dead = (field: string, suffix: string) => `${field}: marked {"$imagepolicy": "flux-system:podinfo${suffix}"}, but the policySelector of ImageUpdateAutomation flux-system/apps in cluster "dev" (tier in (frontend)) does not select ImagePolicy flux-system/podinfo: give the policy labels it selects, or widen the selector`;
    expect(problemsOf(f.repo)).toEqual([
      `[apps/base/releases/frontend] ${dead('spec.values.image.repository', ':name')}`,
      `[apps/base/releases/frontend] ${dead('spec.values.image.tag', ':tag')}`,
      `[apps/base/workloads/backend] ${dead('spec.template.spec.containers[1].image', '')}`,
    ]);
    f.policy.apiObject.metadata.addLabel('tier', 'frontend');
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('matches labels as Kubernetes does', () => {
    const labels = { tier: 'web', team: 'a' };
    expect(selectorSelects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels)).toBe(true);
    expect(selectorSelects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    expect(selectorSelects({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels)).toBe(true);
    expect(selectorSelects({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorSelects({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(selectorSelects({ matchLabels: { team: 'b' }, matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels)).toBe(false);
    // a malformed requirement is reported by its own check, not as a dead marker
    expect(selectorSelects({ matchExpressions: [{ key: 'env', operator: 'In' }] }, labels)).toBe(true);
    expect(describeSelector({ matchLabels: { team: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x', 'y'] }, { key: 'frozen', operator: 'DoesNotExist' }] }))
      .toBe('team=a,tier notin (x,y),!frozen');
  });
});

describe('ImageUpdateAutomation enums take their string values too', () => {
  it('writes update.strategy "Setters" and signingKey.type "ssh" given as strings', () => {
    const f = fluxFleet();
    images(f, undefined, {
      update: { path: f.apps, strategy: 'Setters' },
      commit: { author: { email: 'fluxcdbot@users.noreply.github.com' }, signingKey: { secretRef: { name: 'signing-key' }, type: 'ssh' } },
    });
    const spec = specOf(f.repo, 'ImageUpdateAutomation', 'apps');
    expect(spec.update.strategy).toBe('Setters');
    expect(spec.git.commit.signingKey).toEqual({ secretRef: { name: 'signing-key' }, type: 'ssh' });
  });

  it('refuses values outside the enums', () => {
    const f = fluxFleet();
    images(f, undefined, {
      update: { path: f.apps, strategy: 'Rewrite' as never },
      commit: { author: { email: 'fluxcdbot@users.noreply.github.com' }, signingKey: { secretRef: { name: 'signing-key' }, type: 'pgp' as never } },
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/images/automation] spec.git.commit.signingKey.type "pgp" is not a key type: use "gpg" or "ssh"',
      '[apps/base/images/automation] spec.update.strategy "Rewrite" is not a strategy: use UpdateStrategy.SETTERS',
    ]);
  });
});

describe('the cross-namespace coverage fixtures', () => {
  const FIELD: Record<string, string> = { ImagePolicy: 'spec.imageRepositoryRef.namespace', ImageUpdateAutomation: 'spec.sourceRef.namespace' };
  for (const fixture of crossNamespaceFixtures) {
    it(`${fixture.kind}: ${fixture.name} is schema-valid and states the namespace`, () => {
      const f = fluxFleet({ allowCrossNamespaceReferences: true });
      fixture.build(f);
      const docs = Object.values(FleetTesting.synthDocuments(f.repo)).flat().filter(d => d.kind === fixture.kind);
      expect(docs).toHaveLength(1);
      expect(crdErrors(docs[0])).toEqual([]);
      expect([...emittedPaths(docs[0].spec)]).toContain(FIELD[fixture.kind]);
      const locked = fluxFleet();
      fixture.build(locked);
      expect(problemsOf(locked.repo).join('\n')).toContain('in another namespace'); // the default lockdown refuses it
    });
  }
});
