import { ProblemCollector, problemMessage } from "./errors";
import { isSpecificVersionTag } from "./imageReference";
import { POD_SECURITY_ENFORCE_LABEL, SYSTEM_NAMESPACES } from "./constants";
import { GATEWAY_ARG_DEFAULTS } from "./defaults";
import { usesNodeLogSocket } from "./k8s/localLogs";
import { ResolvedSettings } from "./settings";
import { productionRenewBeforeProblem } from "./token/policy";

/** One production-guidance rule broken by the settings. */
interface GuidanceViolation {
    argument: string;
    problem: string;
    fix: string;
}

/**
 * Applies the production guidance. In `production` any violation throws (listing all of them);
 * in `development` each one is returned as a warning message, the same text the error would have.
 */
export function enforceProfile(settings: ResolvedSettings): string[] {
    const violations = guidanceViolations(settings);
    if (settings.profile === "production") {
        const p = new ProblemCollector();
        violations.forEach((v) => p.add(v.argument, v.problem, `${v.fix} (or use profile: "development" outside production)`));
        p.throwIfAny();
        return [];
    }
    return violations.map((v) => `${problemMessage(v.argument, v.problem, v.fix)} Allowed by profile "development".`);
}

function guidanceViolations(settings: ResolvedSettings): GuidanceViolation[] {
    const violations: GuidanceViolation[] = [];
    const { workload, image, namespace } = settings;
    if (workload.replicas !== undefined && workload.replicas < 2) {
        violations.push({
            argument: "replicas",
            problem: `is ${workload.replicas}; production needs at least 2 so one pod can fail or roll without an outage`,
            fix: "Set replicas to 2 or more (default 3).",
        });
    }
    if (workload.autoscaling !== undefined && workload.autoscaling.minReplicas < 2) {
        violations.push({
            argument: "autoscaling.minReplicas",
            problem: `is ${workload.autoscaling.minReplicas}; production needs at least 2 replicas at all times`,
            fix: "Set autoscaling.minReplicas to 2 or more.",
        });
    }
    if (!image.digest && !isSpecificVersionTag(image.tag)) {
        violations.push({
            argument: "image.tag",
            problem: `"${image.tag}" is a moving tag; pods may silently run different gateway versions after a scale-out`,
            fix: "Pin a specific version such as 2.11.1, or set image.digest.",
        });
    }
    if (namespace.name === "default" || (SYSTEM_NAMESPACES as readonly string[]).includes(namespace.name)) {
        violations.push({
            argument: "namespace.name",
            problem: `is "${namespace.name}"; production gateways belong in a dedicated namespace, not a shared or system one`,
            fix: 'Use a dedicated namespace (default "apim-gateway").',
        });
    }
    if (settings.service.type === "LoadBalancer" && settings.service.exposure === undefined) {
        violations.push({
            argument: "service.exposure",
            problem:
                `is not set; a LoadBalancer Service gets the cloud's default, a public IP that exposes every ` +
                `API of the gateway to the internet (kept as "${GATEWAY_ARG_DEFAULTS.developmentExposure}")`,
            fix: 'Choose it: service.exposure "internal" (AKS internal load balancer, a private IP in the virtual network) or "public".',
        });
    }
    const podSecurity = podSecurityViolation(settings);
    if (podSecurity) {
        violations.push(podSecurity);
    }
    if (settings.auth.type === "token") {
        const rule = productionRenewBeforeProblem(settings.auth.token.renewBeforeDays);
        if (rule) {
            violations.push({ argument: "token.renewBeforeDays", problem: rule.problem, fix: rule.fix });
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        if (!workload.resources.requests[key]) {
            violations.push({
                argument: `resources.requests.${key}`,
                problem: "is missing; without requests the scheduler can overpack nodes and starve the gateway",
                fix: `Set resources.requests.${key} (start from cpu "2", memory "2Gi" and load-test).`,
            });
        }
    }
    return violations;
}

/**
 * Settings that the namespace's own Pod Security admission level would reject, so pods would
 * never be created: the node's syslog socket is a hostPath volume, forbidden by `baseline` and
 * `restricted`. Only a namespace the component labels is known here.
 */
function podSecurityViolation(settings: ResolvedSettings): GuidanceViolation | undefined {
    const level = settings.namespace.create ? settings.namespace.labels[POD_SECURITY_ENFORCE_LABEL] : undefined;
    if ((level === "baseline" || level === "restricted") && usesNodeLogSocket(settings.observability.local)) {
        return {
            argument: "observability.logs.local",
            problem:
                `type "localsyslog" without an endpoint mounts the node's /dev/log as a ` +
                `hostPath volume, which the namespace's Pod Security level "${level}" rejects`,
            fix: 'Set observability.logs.local.endpoint (e.g. a log-forwarder sidecar at "127.0.0.1:8888"), or another local log type.',
        };
    }
    return undefined;
}
