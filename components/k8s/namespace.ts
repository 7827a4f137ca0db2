import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedSettings } from "../settings";

export interface GatewayNamespace {
    /** The namespace name; depends on the created Namespace, so namespaced objects come after it. */
    name: pulumi.Output<string>;
    namespace?: k8s.core.v1.Namespace;
}

/** The dedicated namespace of the gateway, created unless an existing one is used. */
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
