/** Rules for DNS, the live-traffic Service and the NetworkPolicy. */
import { SelfHostedGatewayArgs } from "../args";
import { isIntegerInRange } from "../formats";
import { AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION, CONTAINER_PORTS } from "../constants";
import { checkAnnotations, isHttpUrl, Problems } from "./checks";

export function checkDns(args: SelfHostedGatewayArgs, p: Problems): void {
    if (args.dns?.policy === "None") {
        const nameservers = args.dns.config?.nameservers;
        if (args.dns.config === undefined || (Array.isArray(nameservers) && nameservers.length === 0) || nameservers === undefined) {
            p.add(
                "dns.config",
                'is required with dns.policy "None" and must list at least one nameserver (the pod gets no other DNS)',
                "Set dns.config.nameservers, or use another policy.",
            );
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
    checkExposure(args, p);
}

/** The exposure applies to a LoadBalancer only, and must agree with an internal-load-balancer annotation given by hand. */
function checkExposure(args: SelfHostedGatewayArgs, p: Problems): void {
    const s = args.service;
    if (s?.exposure === undefined) {
        return;
    }
    if (s.type !== undefined && s.type !== "LoadBalancer") {
        p.add(
            "service.exposure",
            `applies to a LoadBalancer Service only, but service.type is "${s.type}"`,
            "Remove service.exposure, or use type LoadBalancer.",
        );
        return;
    }
    const annotation = s.annotations?.[AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION];
    const internal = s.exposure === "internal";
    if (annotation !== undefined && (annotation === "true") !== internal) {
        p.add(
            "service.exposure",
            `is "${s.exposure}" but service.annotations sets ${AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION}: "${annotation}"`,
            `Remove that annotation: service.exposure sets it (to "true" for internal, absent for public).`,
        );
    }
}

export function checkNetworkPolicy(args: SelfHostedGatewayArgs, p: Problems): void {
    const policy = args.networkPolicy;
    if (policy?.trafficFrom === undefined) {
        return;
    }
    if (!Array.isArray(policy.trafficFrom) || policy.trafficFrom.length === 0) {
        p.add(
            "networkPolicy.trafficFrom",
            'is empty, which Kubernetes reads as "from anywhere"',
            "List the allowed peers, or remove trafficFrom to allow everyone explicitly.",
        );
    }
}

export function checkProxy(args: SelfHostedGatewayArgs, p: Problems): void {
    const proxy = args.proxy;
    for (const key of ["http", "https"] as const) {
        const value = proxy?.[key];
        if (typeof value === "string" && !isHttpUrl(value)) {
            p.add(`proxy.${key}`, `${JSON.stringify(value)} is not a proxy URL`, 'Use e.g. "http://proxy.contoso.local:3128".');
        }
    }
    (proxy?.noProxy ?? []).forEach((entry, index) => {
        if (entry.length === 0 || /[\s,]/.test(entry)) {
            p.add(
                `proxy.noProxy[${index}]`,
                `${JSON.stringify(entry)} is not a host, domain or CIDR`,
                'Give one entry per item, e.g. ".svc.cluster.local" or "10.0.0.0/8".',
            );
        }
    });
}

export function checkInstanceDiscovery(args: SelfHostedGatewayArgs, p: Problems): void {
    const ports = args.instanceDiscovery;
    const taken = new Map<number, string>([
        [CONTAINER_PORTS.http, "the gateway's http port"],
        [CONTAINER_PORTS.https, "the gateway's https port"],
    ]);
    for (const key of ["synchronizationPort", "heartbeatPort"] as const) {
        const value = ports?.[key];
        if (value === undefined) {
            continue;
        }
        if (!isIntegerInRange(value, 1, 65535)) {
            p.add(`instanceDiscovery.${key}`, `must be a port number 1 to 65535, got ${String(value)}`, "Fix the port.");
        } else if (taken.has(value)) {
            p.add(`instanceDiscovery.${key}`, `(${value}) is already ${taken.get(value)}`, "Choose another port.");
        }
        taken.set(value, `instanceDiscovery.${key}`);
    }
}
