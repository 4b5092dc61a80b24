import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GitOpsRepo, GitOpsRepoProps } from '../fleet/gitops-repo';

/**
 * Helpers for a fleet's own tests, following the cdk8s `Testing` convention but covering the
 * whole repository layout:
 *
 * ```ts
 * test('fleet', () => {
 *   expect(FleetTesting.synth(createMyFleet())).toMatchSnapshot();
 * });
 * ```
 */
export class FleetTesting {
  /** A `GitOpsRepo` whose root is a fresh temporary directory, so a test never writes into the project. */
  public static repo(props: Omit<GitOpsRepoProps, 'rootDir'> = {}): GitOpsRepo {
    return new GitOpsRepo({ ...props, rootDir: FleetTesting.tempDir() });
  }

  /** A fresh, empty temporary directory. */
  public static tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-'));
  }

  /**
   * Validates and synthesizes the fleet in memory (nothing is written) and returns every
   * generated file: repository-relative path → content, sorted by path. Snapshot it in one line.
   */
  public static synth(repo: GitOpsRepo): Record<string, string> {
    return Object.fromEntries(repo.synthLayout());
  }

  /** Like `synth`, but each file parsed into its YAML documents. */
  public static synthDocuments(repo: GitOpsRepo): Record<string, Record<string, any>[]> {
    return Object.fromEntries([...repo.synthLayout()].map(([p, content]) => [
      p,
      parseAllDocuments(content).map(d => d.toJS() as Record<string, any>),
    ]));
  }
}
