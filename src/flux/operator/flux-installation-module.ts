import { isMap } from '../../core/json-values';
import { Application, ClusterModel, ownerOf, subjectOf } from '../../core/model/cluster-model';
import { FleetModel, FleetModule, ModelCheck } from '../../core/model/fleet-model';
import { ProblemSet } from '../../core/model/problem-set';
import { ReferenceResolution, ReferenceScope } from '../../core/model/references';
import { componentKey, DEFAULT_FLUX_COMPONENTS, FluxComponent } from './flux-instance';

const OPERATOR = 'fluxcd.controlplane.io';

/** Options of the Flux Operator's checks. */
export interface FluxInstallationOptions {
  /** Every cluster of a registered environment (repository path of its directory) → its environment's name. */
  readonly environments: ReadonlyMap<string, string>;
  /** The clusters whose environment turns the multi-tenancy lockdown on. */
  readonly lockedDown: ReadonlyMap<string, string>;
}

/** The controller that reconciles each kind, by API group (and kind where a group has several controllers). */
function componentFor(group: string, kind: string): FluxComponent | undefined {
  switch (group) {
    case 'source.toolkit.fluxcd.io': return FluxComponent.SOURCE_CONTROLLER;
    case 'kustomize.toolkit.fluxcd.io': return FluxComponent.KUSTOMIZE_CONTROLLER;
    case 'helm.toolkit.fluxcd.io': return FluxComponent.HELM_CONTROLLER;
    case 'notification.toolkit.fluxcd.io': return FluxComponent.NOTIFICATION_CONTROLLER;
    case 'source.extensions.fluxcd.io': return FluxComponent.SOURCE_WATCHER;
    case 'image.toolkit.fluxcd.io': return kind === 'ImageUpdateAutomation' ? FluxComponent.IMAGE_AUTOMATION_CONTROLLER : FluxComponent.IMAGE_REFLECTOR_CONTROLLER;
    default: return undefined;
  }
}

function isInstance(a: Application): boolean {
  return String(a.doc.apiVersion).startsWith(`${OPERATOR}/`) && a.doc.kind === 'FluxInstance';
}

function componentsOf(doc: Record<string, any>): string[] {
  return Array.isArray(doc.spec?.components) ? doc.spec.components.map(String) : [...DEFAULT_FLUX_COMPONENTS];
}

/**
 * What each cluster's FluxInstance must agree with, read from the model of what the cluster
 * applies: one instance; the controllers every applied Flux kind needs; a sync of the cluster's
 * own directory; and the multi-tenancy lockdown exactly when the environment has it.
 */
export function fluxInstanceCheck(options: FluxInstallationOptions): ModelCheck {
  return {
    id: 'flux-operator/instance',
    description: 'each cluster\'s FluxInstance installs what it applies, syncs its own directory and matches its environment\'s lockdown',
    check: (model: FleetModel) => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const instances = cluster.applications.filter(isInstance);
        if (instances.length === 0) continue;
        if (instances.length > 1) {
          problems.add(ownerOf(instances[1]), `cluster "${cluster.name}" applies ${instances.length} FluxInstances (${instances.map(i => `${i.namespace}/${i.doc.metadata?.name}`).join(', ')}): the operator reconciles one per cluster, named "flux"`);
        }
        const instance = instances[0];
        checkComponents(cluster, instance, problems);
        checkSync(cluster, instance, problems);
        checkLockdown(cluster, instance, options, problems);
      }
      return problems.list;
    },
  };
}

function describeInstance(a: Application): string {
  return `${subjectOf(a)}FluxInstance ${a.namespace}/${a.doc.metadata?.name}`.trim();
}

function checkComponents(cluster: ClusterModel, instance: Application, problems: ProblemSet): void {
  const installed = new Set(componentsOf(instance.doc));
  const missing = new Map<string, Application[]>();
  for (const a of cluster.applications) {
    const group = String(a.doc.apiVersion ?? '').split('/')[0];
    const component = componentFor(group, String(a.doc.kind));
    if (component && !installed.has(component)) missing.set(component, [...(missing.get(component) ?? []), a]);
  }
  for (const [component, apps] of missing) {
    const shown = apps.slice(0, 3).map(a => `${a.doc.kind} ${a.namespace ? `${a.namespace}/` : ''}${a.doc.metadata?.name}`).join(', ');
    problems.add(ownerOf(instance), `${describeInstance(instance)} spec.components has no ${component}, but cluster "${cluster.name}" applies ${shown}${apps.length > 3 ? ` and ${apps.length - 3} more` : ''}, which nothing would reconcile: add FluxComponent.${componentKey(component)}`);
  }
}

function checkSync(cluster: ClusterModel, instance: Application, problems: ProblemSet): void {
  const sync = instance.doc.spec?.sync;
  if (!isMap(sync)) return;
  const path = String(sync.path ?? '').replace(/^\.\//, '').replace(/\/$/, '');
  if (path !== cluster.directory) {
    problems.add(ownerOf(instance), `${describeInstance(instance)} spec.sync.path is "${sync.path}", but it is applied by cluster "${cluster.name}", whose directory is "${cluster.directory}": the cluster would sync another cluster's directory; use this cluster's directory`);
  }
}

function checkLockdown(cluster: ClusterModel, instance: Application, options: FluxInstallationOptions, problems: ProblemSet): void {
  const environment = options.environments.get(cluster.directory);
  if (environment === undefined) return;
  const lockdown = options.lockedDown.has(cluster.directory);
  const multitenant = instance.doc.spec?.cluster?.multitenant === true;
  if (lockdown && !multitenant) {
    problems.add(ownerOf(instance), `${describeInstance(instance)} spec.cluster.multitenant is off, but environment "${environment}" (cluster "${cluster.name}") has lockdown: true, so its Flux would run without the multi-tenancy lockdown the synth checks assume: set multitenant: true`);
  }
  if (!lockdown && multitenant) {
    problems.add(ownerOf(instance), `${describeInstance(instance)} spec.cluster.multitenant is on, but environment "${environment}" (cluster "${cluster.name}") has no lockdown, so the synth does not check what the lockdown refuses (cross-namespace references, objects without a service account): set lockdown: true on the environment, or multitenant: false`);
  }
}

/** The arguments of a controller Deployment's first container, as the cluster gets it. */
function controllerArgs(a: Application): string[] {
  const containers = a.doc.spec?.template?.spec?.containers;
  const args = Array.isArray(containers) && isMap(containers[0]) ? containers[0].args : undefined;
  return Array.isArray(args) ? args.map(String) : [];
}

/**
 * Flux installed by `flux bootstrap` (its `gotk-components.yaml` in the repository): the
 * kustomize-controller the cluster applies runs with `--no-cross-namespace-refs=true` exactly
 * when the environment has lockdown, read from the Deployment as patched.
 */
export function bootstrapLockdownCheck(options: FluxInstallationOptions): ModelCheck {
  return {
    id: 'flux/bootstrap-lockdown',
    description: 'a Flux installed by flux bootstrap runs with the multi-tenancy lockdown exactly when its environment has it',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const environment = options.environments.get(cluster.directory);
        if (environment === undefined) continue;
        const controller = cluster.applications.find(a => a.doc.kind === 'Deployment' && a.doc.metadata?.name === 'kustomize-controller' && String(a.doc.apiVersion).startsWith('apps/'));
        if (!controller) continue;
        const locked = controllerArgs(controller).includes('--no-cross-namespace-refs=true');
        const lockdown = options.lockedDown.has(cluster.directory);
        const where = `${subjectOf(controller)}Deployment ${controller.namespace}/kustomize-controller (cluster "${cluster.name}", environment "${environment}")`.trim();
        if (lockdown && !locked) {
          problems.add(ownerOf(controller), `${where} runs without --no-cross-namespace-refs=true, but the environment has lockdown: true, so its Flux would not enforce the lockdown the synth checks assume: give its flux-system directory FluxBootstrapComponents with lockdown`);
        } else if (!lockdown && locked) {
          problems.add(ownerOf(controller), `${where} runs with the multi-tenancy lockdown, but the environment has no lockdown, so the synth does not check what the lockdown refuses: set lockdown: true on the environment, or remove the lockdown patches`);
        }
      }
      return problems.list;
    },
  };
}

/**
 * Flux's own installation: the sync a FluxInstance makes the Flux Operator create (a source and a
 * Kustomization named after its namespace, or `spec.sync.name`), the Secret its sync names, the
 * instance's checks, and the lockdown of a Flux installed by `flux bootstrap`.
 */
export function fluxInstallationModule(options: FluxInstallationOptions): FleetModule {
  return {
    name: 'flux-installation',
    register: registry => {
      registry.registerReferences({
        group: OPERATOR, kind: 'FluxInstance', fields: [
          // the bootstrap creates it from credentials that are never in git
          { path: 'spec.sync.pullSecret', role: 'secret', kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE, nameKey: '', resolution: ReferenceResolution.INFORMATIONAL },
        ],
      });
      registry.registerDerived({
        group: OPERATOR,
        kind: 'FluxInstance',
        derive: (doc, namespace) => {
          const sync = doc.spec?.sync;
          if (!isMap(sync)) return [];
          const name = typeof sync.name === 'string' ? sync.name : namespace ?? 'flux-system';
          return [{ kind: String(sync.kind ?? 'GitRepository'), name, namespace }, { kind: 'Kustomization', name, namespace }];
        },
      });
      registry.registerCheck(fluxInstanceCheck(options));
      registry.registerCheck(bootstrapLockdownCheck(options));
    },
  };
}
