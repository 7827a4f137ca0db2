import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";

/**
 * A `policy/v1` PodDisruptionBudget over exactly the gateway's selector labels, so node drains
 * and upgrades take down at most `maxUnavailable` gateway pods at a time.
 */
export function disruptionBudget(context: BuildContext): k8s.policy.v1.PodDisruptionBudget | undefined {
    const { name, settings, parent } = context;
    const pdb = settings.highAvailability.disruptionBudget;
    if (!pdb.enabled) {
        return undefined;
    }
    return new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
            metadata: objectMetadata(context, settings.names.disruptionBudget),
            spec: {
                selector: { matchLabels: settings.labels.selector },
                maxUnavailable: pdb.maxUnavailable,
                minAvailable: pdb.minAvailable,
            },
        },
        { parent },
    );
}
