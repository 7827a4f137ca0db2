import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";

/** How long the Kubernetes provider waits for this object before failing the update. */
const ROLLOUT_TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/**
 * The gateway Deployment. The rolling update is always explicit (default: never below the desired
 * count, 25% surge), and `replicas` is left out when an autoscaler owns it so the two never fight.
 * The provider's wait for the rollout is bounded, so a stalled rollout fails `pulumi up`.
 */
export function gatewayDeployment(context: BuildContext, template: k8s.types.input.core.v1.PodTemplateSpec): k8s.apps.v1.Deployment {
    const { name, settings, parent } = context;
    const { workload } = settings;
    return new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
            metadata: objectMetadata(context, settings.names.deployment, {
                [ROLLOUT_TIMEOUT_ANNOTATION]: String(workload.rollout.timeoutSeconds),
            }),
            spec: {
                replicas: workload.replicas,
                progressDeadlineSeconds: workload.rollout.progressDeadlineSeconds,
                selector: { matchLabels: settings.labels.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: workload.rollingUpdate },
                template,
            },
        },
        { parent },
    );
}
