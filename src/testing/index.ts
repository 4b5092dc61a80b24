// `cdk8s-flux/testing`: helpers for a fleet's own tests.
export { FleetTesting } from './fleet-testing';
export { CheckedDirectory, RenderEquivalence, RenderMismatch, compareBuilds, fluxBuild, kubectlAvailable, kustomizeBuild, renderEquivalence } from './render-equivalence';
export { ImageUpdateChange, ImageUpdateResult, ImageUpdateRun, LatestImage, simulateImageUpdate } from './image-automation';
