import { isMap } from '../core/json-values';
import { ownerOf } from '../core/model/cluster-model';
import { groupOf } from '../core/model/identity';
import { FleetRule, RuleFinding, RuleSeverity } from '../core/model/rules';
import { chartName, who } from '../flux/model/flux-rules';

/** Values of `keyrenewperiod` that turn key renewal off. */
const OFF = /^0+(\.0+)?(ms|s|m|h)?$/;

/**
 * The Sealed Secrets controller renews its key every 30 days unless `keyrenewperiod` is "0". The
 * fleet's SealedSecrets are sealed offline for the certificate committed in the repository, whose
 * private key the bootstrap installs: a renewed key is one no one holds.
 */
export function sealedSecretsKeyRenewalRule(): FleetRule {
  return {
    id: 'sealed-secrets-key-renewal',
    // an error: the bootstrap manages the key, and a renewed key is one no one holds (suppress it,
    // with a reason, where the platform backs the controller's keys up)
    severity: RuleSeverity.ERROR,
    description: 'the Sealed Secrets controller does not renew the key the bootstrap manages',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        const sealed = cluster.applications.some(a => a.doc.kind === 'SealedSecret' && groupOf(a.doc.apiVersion) === 'bitnami.com');
        if (!sealed) continue;
        for (const a of cluster.ofKind('HelmRelease', null)) {
          if (groupOf(a.doc.apiVersion) !== 'helm.toolkit.fluxcd.io' || chartName(cluster, a) !== 'sealed-secrets') continue;
          const values = isMap(a.doc.spec?.values) ? a.doc.spec.values : {};
          const period = values.keyrenewperiod;
          if (period !== undefined && OFF.test(String(period).trim())) continue;
          found.push({
            subject: { doc: a.doc, location: ownerOf(a) },
            message: `${who(a)} runs the Sealed Secrets controller with key renewal on (values.keyrenewperiod ${period === undefined ? 'unset: a new key every 30 days' : `"${String(period)}"`}), while the SealedSecrets its cluster applies are sealed offline for the certificate committed in the repository, whose private key the bootstrap installs: after a renewal, kubeseal --fetch-cert returns a certificate no one committed, and what is sealed for it cannot be restored by a new bootstrap. Set values: { keyrenewperiod: '0' } and rotate by committing a new certificate and key`,
          });
        }
      }
      return found;
    },
  };
}
