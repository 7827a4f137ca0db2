import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { POD_SECURITY_ENFORCE_LABEL } from "../constants";
import { GATEWAY_ARG_DEFAULTS } from "../defaults";
import { ResolvedSettings } from "../settings";

export interface GatewayNamespace {
    /** The namespace name; depends on the created Namespace, so namespaced objects come after it. */
    name: pulumi.Output<string>;
    namespace?: k8s.core.v1.Namespace;
}

/**
 * The dedicated namespace of the gateway, created unless an existing one is used. A created one
 * carries the Pod Security `enforce` label (default `restricted`, in `settings.namespace.labels`),
 * so the API server itself refuses pods that could escalate, whoever creates them.
 */
export function gatewayNamespace(name: string, settings: ResolvedSettings, parent: pulumi.Resource): GatewayNamespace {
    if (!settings.namespace.create) {
        return { name: pulumi.output(settings.namespace.name) };
    }
    const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: settings.namespace.name, labels: { ...settings.labels.common, ...settings.namespace.labels } } },
        { parent },
    );
    return { namespace, name: namespace.metadata.name };
}

/**
 * Warnings about the namespace. An adopted namespace keeps its own labels, which the component
 * neither writes nor reads (it renders offline and may run as an identity that cannot read
 * Namespaces), so its Pod Security level is the operator's to confirm.
 */
export function namespaceWarnings(settings: ResolvedSettings): string[] {
    if (settings.namespace.create) {
        return [];
    }
    const ns = settings.namespace.name;
    return [
        `namespace.create is false: the component does not label the adopted namespace "${ns}", so Pod Security admission enforces ` +
            `only what that namespace's labels say. Unless it carries ` +
            `${POD_SECURITY_ENFORCE_LABEL}: ${GATEWAY_ARG_DEFAULTS.podSecurityLevel}, label it ` +
            `(kubectl label namespace ${ns} ${POD_SECURITY_ENFORCE_LABEL}=${GATEWAY_ARG_DEFAULTS.podSecurityLevel}), ` +
            `or let the component create the namespace.`,
    ];
}
