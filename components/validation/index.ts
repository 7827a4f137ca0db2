import { SelfHostedGatewayArgs } from "../args";
import { WORKLOAD_IDENTITY_MIN_VERSION } from "../constants";
import { ProblemCollector } from "../errors";
import { compareVersions, parseVersion } from "../imageReference";
import { ResolvedSettings } from "../settings";
import { checkApim } from "./apim";
import { checkAuth } from "./auth";
import { checkEnum } from "./checks";
import { checkConfigBackup, checkConfiguration, checkCustomCa } from "./configuration";
import { checkKubernetesName, checkNamespace } from "./naming";
import { checkDns, checkNetworkPolicy, checkService } from "./networking";
import { checkObservability } from "./observability";
import { checkKubernetesPassThrough } from "./kubernetesSchema";
import { checkPodPassThrough } from "./passThrough";
import { checkShape } from "./shape";
import { checkHighAvailability, checkImage, checkProbes, checkResources, checkScale } from "./workload";
import { PROFILES } from "../enums";

/**
 * Rules that hold in every profile, checked on the raw arguments before any default is applied
 * or any resource is created. Throws a `GatewayArgumentError` listing every problem.
 */
export function validateArgs(args: SelfHostedGatewayArgs): void {
    const p = new ProblemCollector();
    if (args === null || typeof args !== "object") {
        p.add("args", "is missing", "Pass resourceGroupName, serviceName, gatewayId and location.");
        p.throwIfAny();
    }
    // The rules below read the arguments as typed: wrongly shaped ones are reported first, alone.
    if (!checkShape(args, p)) {
        p.throwIfAny();
    }
    checkKubernetesPassThrough(args, p);
    checkApim(args, p);
    checkKubernetesName(args, p);
    checkEnum(p, "profile", args.profile, PROFILES);
    checkNamespace(args, p);
    checkScale(args, p);
    checkResources(args, p);
    checkImage(args, p);
    checkDns(args, p);
    checkService(args, p);
    checkConfiguration(args, p);
    checkCustomCa(args, p);
    checkConfigBackup(args, p);
    checkObservability(args, p);
    checkHighAvailability(args, p);
    checkProbes(args, p);
    checkNetworkPolicy(args, p);
    checkAuth(args, p);
    checkPodPassThrough(args, p);
    p.throwIfAny();
}

/** Cross-field rules that need the defaults applied (image version, resource requests). */
export function validateResolved(settings: ResolvedSettings): void {
    const p = new ProblemCollector();
    const { image, auth, workload } = settings;
    if (auth.type === "workloadIdentity") {
        const version = parseVersion(image.tag);
        if (!image.digest && version && compareVersions(version, WORKLOAD_IDENTITY_MIN_VERSION) < 0) {
            p.add(
                "auth",
                `type "workloadIdentity" needs gateway ${WORKLOAD_IDENTITY_MIN_VERSION.join(".")} or later, but image.tag is "${image.tag}"`,
                "Use a newer image.tag, or token or azureAdApp auth.",
            );
        }
    }
    const autoscaling = workload.autoscaling;
    if (autoscaling?.targetCpuUtilizationPercentage !== undefined && !workload.resources.requests.cpu) {
        p.add("autoscaling.targetCpuUtilizationPercentage", "needs a CPU request (utilisation is a percentage of it)", "Set resources.requests.cpu.");
    }
    if (autoscaling?.targetMemoryUtilizationPercentage !== undefined && !workload.resources.requests.memory) {
        p.add("autoscaling.targetMemoryUtilizationPercentage", "needs a memory request (utilisation is a percentage of it)", "Set resources.requests.memory.");
    }
    p.throwIfAny();
}
