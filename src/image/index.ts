export * from './image-setter';
export * from './image-repository';
export * from './image-policy';
export * from './image-update-automation';
export * from './image-automation-checks';
