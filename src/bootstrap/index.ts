// `cdk8s-flux/bootstrap`: cdktf stacks that install Flux, the sealing key and the sync of each
// cluster. cdktf and its providers are optional peer dependencies, loaded only through this entry
// point, so that a fleet that never bootstraps from this package neither installs nor loads them.
import './peers';

export { BootstrapTarget, FLUX_CHART_REPOSITORY, FLUX_CHART_VERSION, MultiTenancyLockdown } from './bootstrap-target';
export { FluxBootstrapStack } from './flux-bootstrap-stack';
export { SEALING_KEY_LABEL } from './sealing-key';
export { FluxSyncStack } from './flux-sync-stack';
export { FluxOperatorBootstrapStack, OperatorBootstrapTarget } from './flux-operator-bootstrap-stack';
