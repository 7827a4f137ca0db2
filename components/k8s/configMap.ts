import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";
import { checksumOf, hashedName } from "../hashing";

export interface HashedConfigMap {
    configMap: k8s.core.v1.ConfigMap;
    /** Keyed checksum of the data: env from a ConfigMap is read once, so a change must roll the pods. */
    checksum: pulumi.Output<string>;
}

/**
 * A ConfigMap named after a keyed hash of its data, like the token Secret. The provider replaces
 * a ConfigMap whose data changes; under a fixed name that replacement must delete before it
 * creates, and a pod starting in between fails with `CreateContainerConfigError`. A new name lets
 * Pulumi create the new ConfigMap first, point the pod template at it, and delete the old one only
 * after the rollout.
 */
export function hashedConfigMap(
    context: BuildContext,
    resourceName: string,
    prefix: string,
    data: Record<string, pulumi.Input<string>>,
): HashedConfigMap {
    const checksum = checksumOf(data, context.checksumKey);
    const configMap = new k8s.core.v1.ConfigMap(
        resourceName,
        // Content-addressed, so it never needs an in-place change; kubelets need not watch it.
        { metadata: objectMetadata(context, hashedName(prefix, checksum)), immutable: true, data },
        { parent: context.parent },
    );
    return { configMap, checksum };
}

/** The `<base>-env-<hash>` ConfigMap with the gateway settings. */
export function gatewayConfigMap(context: BuildContext, data: Record<string, pulumi.Input<string>>): HashedConfigMap {
    return hashedConfigMap(context, `${context.name}-env`, context.settings.names.configMapPrefix, data);
}
