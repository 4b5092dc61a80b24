import { FleetProblem } from '../errors';
import { FleetModel, ModelCheck } from './fleet-model';
import { Doc } from './repo-tree';
import { ProblemSet } from './problem-set';
import { ownerOf, ownerOfDocument } from './cluster-model';

/** How bad a rule's finding is. */
export enum RuleSeverity {
  /** Synth fails. */
  ERROR = 'error',
  /** Synth prints it and succeeds; `--strict` (on in CI) makes it an error. */
  WARNING = 'warning',
}

/**
 * The annotation prefix of a suppression: `suppress.cdk8s-flux.io/<rule-id>: <reason>` on an object
 * silences that rule for that object. The reason is required.
 */
export const SUPPRESSION_PREFIX = 'suppress.cdk8s-flux.io/';

/** A rule id: lowercase words joined by '-' (it is the name part of the suppression annotation). */
export const RULE_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The object a finding is about: its document as the model holds it (suppressions are read from it) and where it is reported. */
export interface RuleSubject {
  /** The document, as the cluster applies it (patches included). */
  readonly doc: Doc;
  /** The construct path (or file) the finding is reported at. */
  readonly location: string;
}

/** One finding of a rule. */
export interface RuleFinding {
  /** The object it is about (and whose annotations may suppress it). */
  readonly subject: RuleSubject;
  /** Several objects that are one finding (a version shared by every stage): suppressed when any of them says so. */
  readonly alsoAbout?: readonly RuleSubject[];
  /** What is wrong, what Flux will do, and how to fix it. */
  readonly message: string;
  /** Dedupes findings that several clusters make. @default location and message */
  readonly key?: string;
}

/**
 * A best-practice or correctness rule over the model of what each cluster applies, with an id, a
 * severity and per-object suppression (`Rules.suppress`, or the annotation
 * `suppress.cdk8s-flux.io/<id>: <reason>`).
 */
export interface FleetRule {
  /** A stable id, e.g. `depends-on-not-ready` (see `RULE_ID_PATTERN`). */
  readonly id: string;
  /** Error (synth fails) or warning (printed; an error with `--strict`). */
  readonly severity: RuleSeverity;
  /** What it checks, in a sentence. */
  readonly description: string;
  /**
   * Whether an object may suppress it (a rule that guards against committing a secret may not).
   * @default true
   */
  readonly suppressible?: boolean;
  /** The findings, before suppressions are applied. */
  evaluate(model: FleetModel): RuleFinding[];
}

const RULE = Symbol.for('cdk8s-flux.rule-check');

/** A `ModelCheck` made from a rule: what the registry holds. */
export interface RuleCheck extends ModelCheck {
  /** The rule. */
  readonly rule: FleetRule;
}

/** Whether a check is a rule's. */
export function isRuleCheck(check: ModelCheck): check is RuleCheck {
  return RULE in check;
}

/** The reason a document gives for suppressing a rule, if it suppresses it (`''` when it gives none). */
export function suppressionOf(doc: Doc, ruleId: string): string | undefined {
  const annotations = doc.metadata?.annotations;
  if (annotations === null || typeof annotations !== 'object') return undefined;
  const value = (annotations as Record<string, unknown>)[`${SUPPRESSION_PREFIX}${ruleId}`];
  return value === undefined ? undefined : typeof value === 'string' ? value : String(value);
}

/**
 * The check of a rule: its findings, less those a (reasoned) suppression silences, as problems that
 * carry the rule's id and severity. The message a user sees is `<id> (<severity>): <message>`.
 */
export function ruleCheck(rule: FleetRule): RuleCheck {
  if (!RULE_ID_PATTERN.test(rule.id)) throw new Error(`rule id "${rule.id}" is not valid: use lowercase letters, digits and '-' (at most 63 characters)`);
  const check: RuleCheck = {
    id: rule.id,
    description: rule.description,
    rule,
    check: model => {
      const problems = new ProblemSet();
      const severity = rule.severity === RuleSeverity.WARNING ? 'warning' as const : 'error' as const;
      for (const f of rule.evaluate(model)) {
        if (rule.suppressible !== false) {
          const reasons = [f.subject, ...f.alsoAbout ?? []].map(s => suppressionOf(s.doc, rule.id));
          // a suppression without a reason silences nothing (the suppression check reports it)
          if (reasons.some(r => r !== undefined && r.trim() !== '')) continue;
        }
        problems.add(f.subject.location, `${rule.id} (${severity}): ${f.message}`, f.key);
      }
      return problems.list.map(p => ({ ...p, severity, rule: rule.id }));
    },
  };
  Object.defineProperty(check, RULE, { value: true });
  return check;
}

/**
 * Every suppression in the model names a rule that exists and may be suppressed, and gives a
 * reason: a suppression is a decision a reviewer reads, so it says why.
 */
export function suppressionCheck(): ModelCheck {
  return {
    id: 'core/suppressions',
    description: 'every suppression names a rule and gives a reason',
    check: model => {
      const rules = new Map(model.registry.checks.filter(isRuleCheck).map(c => [c.rule.id, c.rule]));
      const problems = new ProblemSet();
      const seen = new Set<Doc>();
      const subjects = [
        ...model.documents().filter(e => !e.patch).map(e => ({ doc: e.doc, location: ownerOfDocument(e.source) })),
        ...model.clusters.flatMap(c => c.applications.map(a => ({ doc: a.doc, location: ownerOf(a) }))),
      ];
      for (const { doc, location } of subjects) {
        if (seen.has(doc)) continue;
        seen.add(doc);
        const annotations = doc.metadata?.annotations;
        if (annotations === null || typeof annotations !== 'object') continue;
        for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
          if (!key.startsWith(SUPPRESSION_PREFIX)) continue;
          const id = key.slice(SUPPRESSION_PREFIX.length);
          const rule = rules.get(id);
          const what = `${String(doc.kind)} ${doc.metadata?.namespace ? `${String(doc.metadata.namespace)}/` : ''}${String(doc.metadata?.name)}`;
          if (!rule) {
            problems.add(location, `${what}: annotation ${key} suppresses rule "${id}", which does not exist: use one of ${[...rules.keys()].sort().join(', ')}`);
          } else if (rule.suppressible === false) {
            problems.add(location, `${what}: annotation ${key} suppresses rule "${id}", which cannot be suppressed: fix what it reports`);
          } else if (typeof value !== 'string' || value.trim() === '') {
            problems.add(location, `${what}: annotation ${key} suppresses rule "${id}" without a reason: say why the rule does not apply here, e.g. Rules.suppress(construct, '${id}', 'why')`);
          }
        }
      }
      return problems.list;
    },
  };
}

/** Severity-tagged problems: what the checks return, split into errors and warnings. */
export function splitBySeverity(problems: readonly FleetProblem[], strict: boolean): { errors: FleetProblem[]; warnings: FleetProblem[] } {
  const errors: FleetProblem[] = [];
  const warnings: FleetProblem[] = [];
  for (const p of problems) {
    if (p.severity === 'warning' && !strict) warnings.push(p);
    else if (p.severity === 'warning') errors.push({ ...p, message: p.message.replace(/^([a-z0-9-]+) \(warning\)/, '$1 (warning, an error with --strict)') });
    else errors.push(p);
  }
  return { errors, warnings };
}
