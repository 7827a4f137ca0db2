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
    const pod = workloadIdentity ? { ...common, [LABEL_KEYS.workloadIdentityUse]: "true" } : { ...common };
    return { selector, common, pod };
}
