/** Rules for DNS, the live-traffic Service and the NetworkPolicy. */
import { SelfHostedGatewayArgs } from "../args";
import { DEFAULTS } from "../defaults";
import { isIntegerInRange } from "../formats";
import { checkAnnotations, checkBoolean, checkEnum, Problems } from "./checks";
import { DNS_POLICIES, EXTERNAL_TRAFFIC_POLICIES, SERVICE_TYPES } from "../enums";

export function checkDns(args: SelfHostedGatewayArgs, p: Problems): void {
    checkEnum(p, "dns.policy", args.dns?.policy, DNS_POLICIES);
    if (args.dns?.policy === "None") {
        const nameservers = args.dns.config?.nameservers;
        if (args.dns.config === undefined || (Array.isArray(nameservers) && nameservers.length === 0) || nameservers === undefined) {
            p.add("dns.config", 'is required with dns.policy "None" and must list at least one nameserver (the pod gets no other DNS)', "Set dns.config.nameservers, or use another policy.");
        }
    }
}

export function checkService(args: SelfHostedGatewayArgs, p: Problems): void {
    const s = args.service;
    checkEnum(p, "service.type", s?.type, SERVICE_TYPES);
    checkEnum(p, "service.externalTrafficPolicy", s?.externalTrafficPolicy, EXTERNAL_TRAFFIC_POLICIES);
    const type = s?.type ?? DEFAULTS.serviceType;
    if (s?.externalTrafficPolicy !== undefined && type !== "LoadBalancer" && type !== "NodePort") {
        p.add("service.externalTrafficPolicy", `applies only to LoadBalancer and NodePort Services, not "${type}"`, "Remove it, or change service.type.");
    }
    for (const key of ["loadBalancerIP", "loadBalancerSourceRanges"] as const) {
        if (s?.[key] !== undefined && type !== "LoadBalancer") {
            p.add(`service.${key}`, `applies only to a LoadBalancer Service, not "${type}"`, "Remove it, or use service.type LoadBalancer.");
        }
    }
    const http = s?.ports?.http ?? DEFAULTS.servicePorts.http;
    const https = s?.ports?.https ?? DEFAULTS.servicePorts.https;
    for (const [key, value] of [["http", http], ["https", https]] as const) {
        if (!isIntegerInRange(value, 1, 65535)) {
            p.add(`service.ports.${key}`, `must be a port number 1 to 65535, got ${String(value)}`, "Fix the port.");
        }
    }
    if (http === https) {
        p.add("service.ports", `uses ${http} for both http and https`, "Give them different ports.");
    }
    checkAnnotations(p, "service.annotations", s?.annotations);
}

export function checkNetworkPolicy(args: SelfHostedGatewayArgs, p: Problems): void {
    const policy = args.networkPolicy;
    checkBoolean(p, "networkPolicy.enabled", policy?.enabled);
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
