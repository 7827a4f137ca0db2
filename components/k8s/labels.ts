import { APP_NAME, LABEL_KEYS } from "../constants";
import { LabelSet } from "../settings";

/**
 * The label sets of the gateway. The selector holds only the two stable identity labels, because a
 * Deployment's selector is immutable and a PodDisruptionBudget must select exactly these pods;
 * user labels and the version go on the objects, never into selectors.
 */
export function gatewayLabels(
    base: string,
    versionLabel: string | undefined,
    extra: Record<string, string>,
    workloadIdentity: boolean,
): LabelSet {
    const selector = { [LABEL_KEYS.name]: APP_NAME, [LABEL_KEYS.instance]: base };
    const common: Record<string, string> = {
        ...extra,
        ...selector,
        [LABEL_KEYS.managedBy]: "pulumi",
        ...(versionLabel !== undefined ? { [LABEL_KEYS.version]: versionLabel } : {}),
    };
    // The webhook mutates pods by their own label; the ServiceAccount carries it too, as Microsoft's
    // workload identity YAML and the gateway's Helm chart (1.15) label theirs.
    const identity: Record<string, string> = workloadIdentity ? { [LABEL_KEYS.workloadIdentityUse]: "true" } : {};
    return { selector, common, pod: { ...common, ...identity }, serviceAccount: { ...common, ...identity } };
}
