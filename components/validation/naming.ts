/** Rules for the Kubernetes base name and the namespace. */
import { SelfHostedGatewayArgs } from "../args";
import { MAX_KUBERNETES_NAME_LENGTH } from "../constants";
import { isDns1035Label, isDns1123Label } from "../formats";
import { checkLabels, Problems } from "./checks";

export function checkKubernetesName(args: SelfHostedGatewayArgs, p: Problems): void {
    const rule =
        `a DNS-1035 label (lower-case letters, digits and '-', starting with a letter) of at most ` +
        `${MAX_KUBERNETES_NAME_LENGTH} characters, so that "<name>-instance-discovery" fits in 63`;
    if (args.kubernetesName !== undefined) {
        if (!isKubernetesBaseName(args.kubernetesName)) {
            p.add("kubernetesName", `"${String(args.kubernetesName)}" is not ${rule}`, "Choose a shorter, lower-case name.");
        }
    } else if (typeof args.gatewayId === "string" && args.gatewayId.length > 0 && !isKubernetesBaseName(args.gatewayId)) {
        p.add("kubernetesName", `is needed because gatewayId "${args.gatewayId}" is not ${rule}`, "Set kubernetesName to such a name.");
    }
}

function isKubernetesBaseName(value: unknown): boolean {
    return typeof value === "string" && value.length <= MAX_KUBERNETES_NAME_LENGTH && isDns1035Label(value);
}

export function checkNamespace(args: SelfHostedGatewayArgs, p: Problems): void {
    const ns = args.namespace;
    if (ns?.name !== undefined && (typeof ns.name !== "string" || !isDns1123Label(ns.name))) {
        p.add(
            "namespace.name",
            `"${String(ns.name)}" is not a valid namespace name (DNS-1123 label)`,
            "Use lower-case letters, digits and '-', at most 63 characters.",
        );
    }
    if (ns?.labels !== undefined && ns.create === false) {
        p.add(
            "namespace.labels",
            "has no effect with namespace.create: false",
            "Label the existing namespace yourself, or let the component create it.",
        );
    }
    checkLabels(p, "namespace.labels", ns?.labels, []);
}
