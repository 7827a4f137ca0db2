/** Rules that need the defaults applied: they run on the resolved settings, never on raw arguments. */
import { WORKLOAD_IDENTITY_MIN_VERSION } from "../constants";
import { ProblemCollector } from "../errors";
import { isZeroIntOrPercent } from "../formats";
import { compareVersions, parseVersion } from "../imageReference";
import { ResolvedSettings } from "../settings";

/** Cross-field rules on the resolved settings. Throws a `GatewayArgumentError` listing every problem. */
export function validateResolved(settings: ResolvedSettings): void {
    const p = new ProblemCollector();
    const { image, auth, workload, service } = settings;
    if (auth.type === "workloadIdentity") {
        const version = parseVersion(image.tag);
        if (!image.digest && version && compareVersions(version, WORKLOAD_IDENTITY_MIN_VERSION) < 0) {
            p.add(
                "auth",
                `type "workloadIdentity" needs gateway ${WORKLOAD_IDENTITY_MIN_VERSION.join(".")} ` +
                    `or later, but image.tag is "${image.tag}"`,
                "Use a newer image.tag, or token or azureAdApp auth.",
            );
        }
    }
    const autoscaling = workload.autoscaling;
    if (autoscaling?.targetCpuUtilizationPercentage !== undefined && !workload.resources.requests.cpu) {
        p.add(
            "autoscaling.targetCpuUtilizationPercentage",
            "needs a CPU request (utilisation is a percentage of it)",
            "Set resources.requests.cpu.",
        );
    }
    if (autoscaling?.targetMemoryUtilizationPercentage !== undefined && !workload.resources.requests.memory) {
        p.add(
            "autoscaling.targetMemoryUtilizationPercentage",
            "needs a memory request (utilisation is a percentage of it)",
            "Set resources.requests.memory.",
        );
    }
    const { maxUnavailable, maxSurge } = workload.rollingUpdate;
    if (isZeroIntOrPercent(maxUnavailable) && isZeroIntOrPercent(maxSurge)) {
        p.add(
            "rollingUpdate",
            "has maxUnavailable and maxSurge both 0, so a rollout could never progress",
            "Keep maxSurge above 0 (default 25%).",
        );
    }
    if (service.externalTrafficPolicy !== undefined && service.type === "ClusterIP") {
        p.add(
            "service.externalTrafficPolicy",
            `applies only to LoadBalancer and NodePort Services, not "${service.type}"`,
            "Remove it, or change service.type.",
        );
    }
    if (!settings.networkPolicy.enabled && settings.networkPolicy.trafficFrom !== undefined) {
        p.add(
            "networkPolicy.trafficFrom",
            "restricts nothing while the NetworkPolicy is off (networkPolicy.enabled false, or unset in development)",
            "Set networkPolicy.enabled: true, or remove trafficFrom.",
        );
    }
    for (const key of ["loadBalancerIP", "loadBalancerSourceRanges"] as const) {
        if (service[key] !== undefined && service.type !== "LoadBalancer") {
            p.add(
                `service.${key}`,
                `applies only to a LoadBalancer Service, not "${service.type}"`,
                "Remove it, or use service.type LoadBalancer.",
            );
        }
    }
    if (service.allocateLoadBalancerNodePorts !== undefined && service.type !== "LoadBalancer") {
        p.add(
            "service.allocateLoadBalancerNodePorts",
            `applies only to a LoadBalancer Service, not "${service.type}"`,
            "Remove it, or use service.type LoadBalancer.",
        );
    }
    if (service.httpPort === service.httpsPort) {
        p.add("service.ports", `uses ${service.httpPort} for both http and https`, "Give them different ports.");
    }
    p.throwIfAny();
}
