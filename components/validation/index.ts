import { SelfHostedGatewayArgs } from "../args";
import { ProblemCollector } from "../errors";
import { checkApim } from "./apim";
import { checkAuth } from "./auth";
import { checkConfigBackup, checkConfiguration, checkCustomCa, checkTls } from "./configuration";
import { checkKubernetesName, checkNamespace } from "./naming";
import { checkDns, checkInstanceDiscovery, checkNetworkPolicy, checkProxy, checkService } from "./networking";
import { checkObservability } from "./observability";
import { checkKubernetesPassThrough } from "./kubernetesSchema";
import { checkPodPassThrough } from "./passThrough";
import { checkShape } from "./shape";
import { checkHighAvailability, checkImage, checkProbes, checkResources, checkScale } from "./workload";

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
    checkProxy(args, p);
    checkInstanceDiscovery(args, p);
    checkTls(args, p);
    checkAuth(args, p);
    checkPodPassThrough(args, p);
    p.throwIfAny();
}

/** Whether the arguments have the documented shape, so the rules and the defaults can read them as typed. */
export function hasValidShape(args: SelfHostedGatewayArgs): boolean {
    return args !== null && typeof args === "object" && checkShape(args, new ProblemCollector());
}

export { validateResolved } from "./resolved";
