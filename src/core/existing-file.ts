import { Construct } from 'constructs';
import { FileRole, ILayoutFile, markLayoutFile } from './layout-file';
import { FILE_NAME_PATTERN, KUSTOMIZATION_FILE } from './names';

const EXISTING_FILE = Symbol.for('cdk8s-flux.ExistingFile');

/** Props of an `ExistingFile`. */
export interface ExistingFileProps {
  /** The file's name inside its directory. */
  readonly fileName: string;
  /**
   * What the file is to its directory's kustomization: Kubernetes objects listed under
   * `resources:`, or data a generator of the directory reads (`addConfigMapGenerator`; a Helm
   * values file written by hand, whose bytes, and so the ConfigMap's hash, stay as they are).
   * @default FileRole.RESOURCE
   */
  readonly role?: FileRole.RESOURCE | FileRole.DATA;
}

/**
 * A file of the layout that you write by hand (a `gotk-components.yaml` from `flux bootstrap`, a
 * manifest copied from upstream): synth lists it in its directory's `kustomization.yaml` so that
 * Flux applies it, reads its documents into the model so that every check sees them, and never
 * writes, moves or deletes it.
 */
export class ExistingFile extends Construct implements ILayoutFile {
  /** Whether a construct is an `ExistingFile`. */
  public static isExistingFile(x: unknown): x is ExistingFile {
    return typeof x === 'object' && x !== null && EXISTING_FILE in x;
  }

  public readonly fileName: string;
  public readonly role: FileRole.RESOURCE | FileRole.DATA;

  constructor(scope: Construct, id: string, props: ExistingFileProps) {
    super(scope, id);
    markLayoutFile(this);
    Object.defineProperty(this, EXISTING_FILE, { value: true });
    this.fileName = props.fileName;
    this.role = props.role ?? FileRole.RESOURCE;
    this.node.addValidation({
      validate: () => (this.fileName !== KUSTOMIZATION_FILE && FILE_NAME_PATTERN.test(this.fileName) ? [] : [
        `fileName "${this.fileName}" is not a valid manifest file name: use lowercase letters, digits, '-', '.' or '_' and end with ".yaml" (e.g. "gotk-components.yaml"); kustomization.yaml is generated`,
      ]),
    });
  }

  /** Nothing: the file is the user's. */
  public renderDocuments(): Record<string, unknown>[] {
    return [];
  }
}
