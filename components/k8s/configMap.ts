import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { checksumOf } from "../hashing";
import { ResolvedSettings } from "../settings";

export interface GatewayConfigMap {
    configMap: k8s.core.v1.ConfigMap;
    /** SHA-256 of the data: env from a ConfigMap is read once, so a change must roll the pods. */
    checksum: pulumi.Output<string>;
}

/** The `<base>-env` ConfigMap with the gateway settings. */
export function gatewayConfigMap(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    data: Record<string, pulumi.Input<string>>,
    parent: pulumi.Resource,
): GatewayConfigMap {
    const configMap = new k8s.core.v1.ConfigMap(
        `${name}-env`,
        { metadata: { name: settings.names.configMap, namespace, labels: settings.labels.common }, data },
        { parent },
    );
    return { configMap, checksum: checksumOf(data) };
}
