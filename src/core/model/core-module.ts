import { FleetProblem } from '../errors';
import { CORE_REFERENCES } from './core-references';
import { FleetModel, FleetModule, ModelCheck } from './fleet-model';
import { KUSTOMIZATION_FILE_NAMES } from './kustomize-build';
import { joinRepoPath, TreeFile } from './repo-tree';
import { markedValueCheck } from '../setter-markers';
import { nameCheck } from './name-check';
import { suppressionCheck } from './rules';

/**
 * What the model finds without any module: directories kustomize could not build as written
 * (a resource that does not exist, a patch that matches nothing, a remote base, a feature the model
 * does not build), and files the user put in a generated directory that nothing applies.
 */
export function modelProblemsCheck(): ModelCheck {
  return {
    id: 'core/builds',
    description: 'every directory builds as written, and nothing in a generated directory is left out of its build',
    check: model => {
      const found = new Map<string, FleetProblem>();
      const add = (path: string, message: string) => found.set(`${path}\n${message}`, { path, message });
      // every generated directory, whether a cluster applies it or not: a patch that cannot apply is wrong either way
      // when the layout itself is broken (a reserved file name, a missing directory), its own
      // messages say so: the builds of its directories would only repeat them in other words
      const layoutBroken = model.reported.size > 0;
      for (const file of model.tree.allFiles()) {
        if (!file.generated || !KUSTOMIZATION_FILE_NAMES.includes(file.path.slice(file.path.lastIndexOf('/') + 1))) continue;
        const dir = file.path.slice(0, file.path.lastIndexOf('/'));
        for (const p of model.builder.build(dir).problems) {
          if (layoutBroken && CONSEQUENCES.test(p.message)) continue;
          if (p.constructPath && model.reported.has(p.constructPath)) continue; // its construct said it in its own words
          add(p.constructPath ?? p.file, p.message);
        }
        for (const stray of unlisted(model, dir)) {
          const where = stray.slice(dir.length + 1);
          const adopt = where.includes('/')
            ? `give "${stray.slice(0, stray.lastIndexOf('/'))}" a kustomization that lists it and add that directory to "${dir}"`
            : `declare it with new ExistingFile(directory, '${where.replace(/\.(ya?ml|json)$/, '')}', { fileName: '${where}' }) so that synth lists it and checks what it holds`;
          add(file.constructPath ?? dir, `file "${stray}" is in "${dir}", a directory synth generates, but its kustomization.yaml does not list it, so Flux never applies it (and the checks never saw it): ${adopt}, or move it out of "${dir}"`);
        }
      }
      for (const cluster of model.clusters) {
        for (const p of cluster.problems) {
          if (layoutBroken && model.tree.file(p.file)?.generated !== false) continue;
          if (p.constructPath && model.reported.has(p.constructPath)) continue; // its construct said it in its own words (cluster problems name the owner)
          add(p.constructPath ?? p.file, p.message);
        }
      }
      return [...found.values()];
    },
  };
}

/** What a build reports when the layout's own problems (already reported) leave a directory unwritten or unreadable. */
const CONSEQUENCES = /does not exist: there is no file or directory|is not a Kubernetes object|has no kustomization\.yaml, so kustomize cannot build it|is defined twice in [^ ]+; keep one$/;

/**
 * Kubernetes manifests the user put in a generated directory (or in a sub-directory of it that has no
 * kustomization of its own) that its kustomization does not list. Dotfiles (`.sops.yaml`) and YAML
 * that is not a Kubernetes object are not manifests.
 */
function unlisted(model: FleetModel, dir: string): string[] {
  const user: string[] = [];
  const collect = (d: string) => {
    for (const f of model.tree.filesIn(d)) {
      const name = f.slice(f.lastIndexOf('/') + 1);
      const tf = model.tree.file(f)!;
      if (tf.generated || name.startsWith('.') || !/\.(ya?ml|json)$/.test(name) || !isManifest(tf)) continue;
      user.push(f);
    }
    for (const sub of model.tree.directoriesIn(d)) if (!model.builder.kustomizationOf(sub)) collect(sub);
  };
  collect(dir);
  if (user.length === 0) return [];
  const k = model.builder.kustomizationOf(dir)?.doc ?? {};
  const listed = new Set<string>();
  for (const entry of [...asList(k.resources), ...asList(k.patches).map(p => (p as { path?: unknown })?.path), ...asList(k.patchesStrategicMerge)]) {
    if (typeof entry !== 'string') continue;
    const target = joinRepoPath(dir, entry);
    if (target !== undefined) listed.add(target);
  }
  return user.filter(f => !listed.has(f));
}

/** Whether a file holds a Kubernetes object (apiVersion and kind), as kustomize-controller would apply it. */
function isManifest(file: TreeFile): boolean {
  try {
    return file.documents().some(d => typeof d.doc.apiVersion === 'string' && typeof d.doc.kind === 'string');
  } catch {
    return false; // not YAML: nothing Flux would apply either
  }
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The core module: the reference fields of core kinds, and the model's own problems. */
export const coreModule: FleetModule = {
  name: 'core',
  register: registry => {
    CORE_REFERENCES.forEach(entry => registry.registerReferences(entry));
    registry.registerCheck(modelProblemsCheck());
    registry.registerCheck(markedValueCheck());
    registry.registerCheck(nameCheck());
    registry.registerCheck(suppressionCheck());
  },
};
