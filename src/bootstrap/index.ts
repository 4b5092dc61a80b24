// `cdk8s-flux/bootstrap`: the cdktf stack that bootstraps a cluster in one apply from the files of
// its flux-system directory (the Flux Operator, the FluxInstance, the sealing key, the deploy key).
// cdktf and its providers are optional peer dependencies, loaded only through this entry point, so
// that a fleet that never bootstraps from this package neither installs nor loads them.
import './peers';

export { SEALING_KEY_LABEL } from './sealing-key';
export { FluxOperatorBootstrapStack, OperatorBootstrapTarget } from './flux-operator-bootstrap-stack';
