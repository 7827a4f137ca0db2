/** Rules for DNS, the live-traffic Service and the NetworkPolicy. */
import { SelfHostedGatewayArgs } from "../args";
import { isIntegerInRange } from "../formats";
import { checkAnnotations, Problems } from "./checks";

export function checkDns(args: SelfHostedGatewayArgs, p: Problems): void {
    if (args.dns?.policy === "None") {
        const nameservers = args.dns.config?.nameservers;
        if (args.dns.config === undefined || (Array.isArray(nameservers) && nameservers.length === 0) || nameservers === undefined) {
            p.add("dns.config", 'is required with dns.policy "None" and must list at least one nameserver (the pod gets no other DNS)', "Set dns.config.nameservers, or use another policy.");
        }
    }
}

export function checkService(args: SelfHostedGatewayArgs, p: Problems): void {
    const s = args.service;
    for (const key of ["http", "https"] as const) {
        const value = s?.ports?.[key];
        if (value !== undefined && !isIntegerInRange(value, 1, 65535)) {
            p.add(`service.ports.${key}`, `must be a port number 1 to 65535, got ${String(value)}`, "Fix the port.");
        }
    }
    checkAnnotations(p, "service.annotations", s?.annotations);
}

export function checkNetworkPolicy(args: SelfHostedGatewayArgs, p: Problems): void {
    const policy = args.networkPolicy;
    if (policy?.trafficFrom === undefined) {
        return;
    }
    if (policy.enabled !== true) {
        p.add("networkPolicy.trafficFrom", "restricts nothing unless networkPolicy.enabled is true", "Set networkPolicy.enabled: true, or remove trafficFrom.");
    }
    if (!Array.isArray(policy.trafficFrom) || policy.trafficFrom.length === 0) {
        p.add("networkPolicy.trafficFrom", "is empty, which Kubernetes reads as \"from anywhere\"", "List the allowed peers, or remove trafficFrom to allow everyone explicitly.");
    }
}
