import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";
import { checksumOf } from "../hashing";

export interface GatewayConfigMap {
    configMap: k8s.core.v1.ConfigMap;
    /** Keyed checksum of the data: env from a ConfigMap is read once, so a change must roll the pods. */
    checksum: pulumi.Output<string>;
}

/** The `<base>-env` ConfigMap with the gateway settings. */
export function gatewayConfigMap(context: BuildContext, data: Record<string, pulumi.Input<string>>): GatewayConfigMap {
    const { name, settings, parent } = context;
    const configMap = new k8s.core.v1.ConfigMap(`${name}-env`, { metadata: objectMetadata(context, settings.names.configMap), data }, { parent });
    return { configMap, checksum: checksumOf(data, context.checksumKey) };
}
