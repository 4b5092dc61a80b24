import { Construct } from 'constructs';
import { ExistingFile } from '../../core/existing-file';
import { LayoutDirectory } from '../../core/layout-directory';

/** Flux's multi-tenancy lockdown, as fluxcd/flux2-multi-tenancy patches the controllers. */
export interface BootstrapLockdown {
  /**
   * The account a Kustomization or HelmRelease that names none impersonates, in its own
   * namespace (it should have no rights).
   * @default 'default'
   */
  readonly defaultServiceAccount?: string;
}

/** Props of `FluxBootstrapComponents`. */
export interface FluxBootstrapComponentsProps {
  /** The file `flux bootstrap` (or `flux install --export`) wrote and keeps upgrading. @default 'gotk-components.yaml' */
  readonly fileName?: string;
  /** Turn on Flux's multi-tenancy lockdown (synth checks it against the environment's `lockdown`). @default off */
  readonly lockdown?: BootstrapLockdown;
}

/** The controllers that resolve references across namespaces (and so take `--no-cross-namespace-refs`). */
const REFERENCING_CONTROLLERS = '(kustomize-controller|helm-controller|notification-controller|image-reflector-controller|image-automation-controller)';

/**
 * Flux installed the classic way, for clusters that stay with `flux bootstrap`: its
 * `gotk-components.yaml` stays your file (`flux bootstrap` upgrades it; synth never touches it), and
 * the generated `kustomization.yaml` of `clusters/<cluster>/flux-system/` lists it and, with
 * `lockdown`, patches the controllers as fluxcd/flux2-multi-tenancy does: no cross-namespace
 * references, no remote bases, and a default service account for impersonation. Synth checks the
 * patched controllers against the environment's `lockdown`.
 *
 * Create it in the cluster's `flux-system` directory, beside the sync (`gotk-sync.yaml`).
 */
export class FluxBootstrapComponents extends Construct {
  /** The components file you own. */
  public readonly components: ExistingFile;

  constructor(scope: LayoutDirectory, id: string, props: FluxBootstrapComponentsProps = {}) {
    super(scope, id);
    this.components = new ExistingFile(scope, `${id}-file`, { fileName: props.fileName ?? 'gotk-components.yaml' });
    if (props.lockdown) {
      const account = props.lockdown.defaultServiceAccount ?? 'default';
      const arg = (value: string) => [{ op: 'add' as const, path: '/spec/template/spec/containers/0/args/-', value }];
      scope.addPatch({ target: { kind: 'Deployment', name: REFERENCING_CONTROLLERS }, patch: arg('--no-cross-namespace-refs=true') });
      scope.addPatch({ target: { kind: 'Deployment', name: 'kustomize-controller' }, patch: arg('--no-remote-bases=true') });
      scope.addPatch({ target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' }, patch: arg(`--default-service-account=${account}`) });
    }
  }
}
