import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedSettings } from "../settings";

/**
 * A `policy/v1` PodDisruptionBudget over exactly the gateway's selector labels, so node drains
 * and upgrades take down at most `maxUnavailable` gateway pods at a time.
 */
export function disruptionBudget(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    parent: pulumi.Resource,
): k8s.policy.v1.PodDisruptionBudget | undefined {
    const pdb = settings.highAvailability.disruptionBudget;
    if (!pdb.enabled) {
        return undefined;
    }
    return new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
            metadata: { name: settings.names.disruptionBudget, namespace, labels: settings.labels.common },
            spec: {
                selector: { matchLabels: settings.labels.selector },
                maxUnavailable: pdb.maxUnavailable,
                minAvailable: pdb.minAvailable,
            },
        },
        { parent },
    );
}
