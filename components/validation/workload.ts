/** Rules for the Deployment: scale, rolling update, resources, image, probes, high availability. */
import { SelfHostedGatewayArgs } from "../args";
import { isDns1123Subdomain, isIntegerInRange, isIntOrPercent, isQualifiedName, isQuantity, quantityValue } from "../formats";
import { isValidDigest, isValidTag, repositoryProblem } from "../imageReference";
import { checkUniqueStrings, Problems } from "./checks";

export function checkScale(args: SelfHostedGatewayArgs, p: Problems): void {
    if (args.replicas !== undefined && !isIntegerInRange(args.replicas, 0)) {
        p.add("replicas", `must be a whole number of at least 0, got ${String(args.replicas)}`, "Use e.g. 3.");
    }
    if (args.externalAutoscaler === true) {
        for (const key of ["replicas", "autoscaling"] as const) {
            if (args[key] !== undefined) {
                p.add(
                    key,
                    "cannot be combined with externalAutoscaler (the external autoscaler owns the replica count)",
                    `Remove ${key}, or remove externalAutoscaler.`,
                );
            }
        }
    }
    const a = args.autoscaling;
    if (a !== undefined) {
        if (args.replicas !== undefined) {
            p.add(
                "replicas",
                "cannot be combined with autoscaling (the autoscaler owns the replica count)",
                "Remove replicas, or remove autoscaling.",
            );
        }
        if (!isIntegerInRange(a.minReplicas, 1)) {
            p.add("autoscaling.minReplicas", `must be a whole number of at least 1, got ${String(a.minReplicas)}`, "Use e.g. 3.");
        }
        if (!isIntegerInRange(a.maxReplicas, 1)) {
            p.add("autoscaling.maxReplicas", `must be a whole number of at least 1, got ${String(a.maxReplicas)}`, "Use e.g. 10.");
        } else if (isIntegerInRange(a.minReplicas, 1) && a.maxReplicas < a.minReplicas) {
            p.add(
                "autoscaling.maxReplicas",
                `(${a.maxReplicas}) is below autoscaling.minReplicas (${a.minReplicas})`,
                "Raise maxReplicas or lower minReplicas.",
            );
        }
        for (const key of ["targetCpuUtilizationPercentage", "targetMemoryUtilizationPercentage"] as const) {
            if (a[key] !== undefined && !isIntegerInRange(a[key], 1)) {
                p.add(`autoscaling.${key}`, `must be a whole percentage of at least 1, got ${String(a[key])}`, "Use e.g. 70.");
            }
        }
    }
    const r = args.rollingUpdate;
    for (const key of ["maxUnavailable", "maxSurge"] as const) {
        if (r?.[key] !== undefined && !isIntOrPercent(r[key])) {
            p.add(
                `rollingUpdate.${key}`,
                `must be a whole number or a percentage such as "25%", got ${JSON.stringify(r[key])}`,
                "Fix the value.",
            );
        }
    }
    for (const key of ["progressDeadlineSeconds", "timeoutSeconds"] as const) {
        if (r?.[key] !== undefined && !isIntegerInRange(r[key], 1)) {
            p.add(
                `rollingUpdate.${key}`,
                `must be a whole number of seconds of at least 1, got ${JSON.stringify(r[key])}`,
                "Use e.g. 600.",
            );
        }
    }
}

/** The resources a request or limit may name. */
const RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"] as const;

export function checkResources(args: SelfHostedGatewayArgs, p: Problems): void {
    const res = args.resources;
    for (const group of ["requests", "limits"] as const) {
        for (const key of RESOURCE_NAMES) {
            const value = res?.[group]?.[key];
            if (value !== undefined && (typeof value !== "string" || !isQuantity(value))) {
                p.add(`resources.${group}.${key}`, `${JSON.stringify(value)} is not a Kubernetes quantity`, 'Use e.g. "2", "500m", "2Gi".');
            }
        }
    }
    for (const key of RESOURCE_NAMES) {
        const request = res?.requests?.[key];
        const limit = res?.limits?.[key];
        if (typeof request === "string" && typeof limit === "string") {
            const r = quantityValue(request);
            const l = quantityValue(limit);
            if (r !== undefined && l !== undefined && r > l) {
                p.add(
                    `resources.requests.${key}`,
                    `(${request}) exceeds resources.limits.${key} (${limit})`,
                    "Raise the limit or lower the request.",
                );
            }
        }
    }
}

export function checkImage(args: SelfHostedGatewayArgs, p: Problems): void {
    const image = args.image;
    if (image?.repository !== undefined) {
        const problem = typeof image.repository === "string" ? repositoryProblem(image.repository) : "is not a string";
        if (problem) {
            p.add(
                "image.repository",
                `"${String(image.repository)}" ${problem}`,
                "Give the repository only (e.g. myregistry.azurecr.io/apim/gateway); put the version in image.tag or image.digest.",
            );
        }
    }
    if (image?.tag !== undefined && (typeof image.tag !== "string" || !isValidTag(image.tag))) {
        p.add("image.tag", `"${String(image.tag)}" is not a valid image tag`, "Use a version such as 2.11.1.");
    }
    if (image?.digest !== undefined && (typeof image.digest !== "string" || !isValidDigest(image.digest))) {
        p.add("image.digest", `"${String(image.digest)}" is not an image digest`, 'Use "sha256:" followed by 64 lower-case hex digits.');
    }
    checkUniqueStrings(p, "image.pullSecrets", image?.pullSecrets, isDns1123Subdomain, "must be Secret names (DNS-1123 subdomains)");
}

export function checkProbes(args: SelfHostedGatewayArgs, p: Problems): void {
    for (const probe of ["startup", "readiness", "liveness"] as const) {
        const tuning = args.probes?.[probe];
        for (const key of ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const) {
            const value = tuning?.[key];
            const min = key === "initialDelaySeconds" ? 0 : 1;
            if (value !== undefined && !isIntegerInRange(value, min)) {
                p.add(`probes.${probe}.${key}`, `must be a whole number of at least ${min}, got ${String(value)}`, "Fix the value.");
            }
        }
    }
    if (args.terminationGracePeriodSeconds !== undefined && !isIntegerInRange(args.terminationGracePeriodSeconds, 0)) {
        p.add(
            "terminationGracePeriodSeconds",
            `must be a whole number of at least 0, got ${String(args.terminationGracePeriodSeconds)}`,
            "Use e.g. 60.",
        );
    }
}

export function checkHighAvailability(args: SelfHostedGatewayArgs, p: Problems): void {
    const ha = args.highAvailability;
    const spread = ha?.topologySpread;
    if (spread?.topologyKeys !== undefined) {
        if (spread.topologyKeys.length === 0) {
            p.add("highAvailability.topologySpread.topologyKeys", "is empty", "List topology keys, or set topologySpread.enabled: false.");
        }
        checkUniqueStrings(
            p,
            "highAvailability.topologySpread.topologyKeys",
            spread.topologyKeys,
            isQualifiedName,
            "must be node label keys",
        );
    }
    if (ha?.podAntiAffinity !== undefined && ha.podAntiAffinity !== "none" && args.affinity?.podAntiAffinity !== undefined) {
        p.add(
            "highAvailability.podAntiAffinity",
            "cannot be combined with affinity.podAntiAffinity (one would replace the other)",
            "Use one of them.",
        );
    }
    const pdb = ha?.disruptionBudget;
    if (pdb?.maxUnavailable !== undefined && pdb.minAvailable !== undefined) {
        p.add(
            "highAvailability.disruptionBudget",
            "sets both maxUnavailable and minAvailable; a PodDisruptionBudget takes one",
            "Remove one of them.",
        );
    }
    for (const key of ["maxUnavailable", "minAvailable"] as const) {
        if (pdb?.[key] !== undefined && !isIntOrPercent(pdb[key])) {
            p.add(
                `highAvailability.disruptionBudget.${key}`,
                `must be a whole number or a percentage, got ${JSON.stringify(pdb[key])}`,
                "Fix the value.",
            );
        }
    }
}
