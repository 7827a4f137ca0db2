import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";

/** An `autoscaling/v2` HorizontalPodAutoscaler on CPU and/or memory utilisation of the requests. */
export function autoscaler(
    context: BuildContext,
    deployment: k8s.apps.v1.Deployment,
): k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined {
    const { name, settings, parent } = context;
    const scaling = settings.workload.autoscaling;
    if (!scaling) {
        return undefined;
    }
    const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [];
    if (scaling.targetCpuUtilizationPercentage !== undefined) {
        metrics.push(utilisation("cpu", scaling.targetCpuUtilizationPercentage));
    }
    if (scaling.targetMemoryUtilizationPercentage !== undefined) {
        metrics.push(utilisation("memory", scaling.targetMemoryUtilizationPercentage));
    }
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
            metadata: objectMetadata(context, settings.names.autoscaler),
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                minReplicas: scaling.minReplicas,
                maxReplicas: scaling.maxReplicas,
                metrics,
            },
        },
        { parent },
    );
}

function utilisation(resource: "cpu" | "memory", percent: number): k8s.types.input.autoscaling.v2.MetricSpec {
    return { type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization: percent } } };
}
