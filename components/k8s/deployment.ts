import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedSettings } from "../settings";

/**
 * The gateway Deployment. The rolling update is always explicit (default: never below the desired
 * count, 25% surge), and `replicas` is left out when an autoscaler owns it so the two never fight.
 */
export function gatewayDeployment(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    template: k8s.types.input.core.v1.PodTemplateSpec,
    parent: pulumi.Resource,
): k8s.apps.v1.Deployment {
    const { workload } = settings;
    return new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
            metadata: { name: settings.names.deployment, namespace, labels: settings.labels.common },
            spec: {
                replicas: workload.replicas,
                selector: { matchLabels: settings.labels.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: workload.rollingUpdate },
                template,
            },
        },
        { parent },
    );
}
