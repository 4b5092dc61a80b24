import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RULE_ID_PATTERN, SUPPRESSION_PREFIX } from './model/rules';

/**
 * Per-object suppression of the fleet's rules. A suppression is the annotation
 * `suppress.cdk8s-flux.io/<rule-id>: <reason>` on the object, so it is committed with the object,
 * read by the rules from the model of what each cluster applies (an overlay's patch can add it for
 * one environment only), and reviewed like any other change. A suppression without a reason, of a
 * rule that does not exist, or of a rule that cannot be suppressed, fails the synth.
 *
 * ```ts
 * Rules.suppress(release, 'helm-upgrade-remediation', 'a failed upgrade must page a human, not roll back');
 * ```
 */
export class Rules {
  /**
   * Suppresses a rule for the API objects of a construct (a Flux construct, a cdk8s-plus
   * construct, or an `ApiObject`).
   * @param scope the construct whose objects the rule must not report
   * @param ruleId the rule's id (the README lists them)
   * @param reason why the rule does not apply to them; required
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    const objects = ApiObject.isApiObject(scope) ? [scope] : scope.node.findAll().filter(ApiObject.isApiObject);
    if (!RULE_ID_PATTERN.test(ruleId)) {
      scope.node.addValidation({ validate: () => [`Rules.suppress: "${ruleId}" is not a rule id: use the id the rule reports (e.g. "depends-on-not-ready")`] });
      return;
    }
    if (objects.length === 0) {
      scope.node.addValidation({ validate: () => [`Rules.suppress('${ruleId}'): this construct has no API object to suppress the rule for: pass the construct of the object the rule reports`] });
      return;
    }
    for (const o of objects) o.metadata.addAnnotation(`${SUPPRESSION_PREFIX}${ruleId}`, reason.trim());
  }
}
