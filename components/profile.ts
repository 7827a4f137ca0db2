import { ProblemCollector, problemMessage } from "./errors";
import { isSpecificVersionTag } from "./imageReference";
import { ResolvedSettings } from "./settings";

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
    if (namespace.name === "default") {
        violations.push({
            argument: "namespace.name",
            problem: 'is "default"; production gateways belong in a dedicated namespace',
            fix: 'Use a dedicated namespace (default "apim-gateway").',
        });
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
