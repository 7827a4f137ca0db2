import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "./buildContext";
import { checksumOf, hashedName } from "./hashing";

export interface HashedSecretArgs {
    /** Name prefix; `-<first 10 hex of the keyed checksum of the data>` is appended. */
    prefix: string;
    /** The secret data, e.g. `{ value: token }` (the portal's convention for the token Secret). */
    data: Record<string, pulumi.Input<string>>;
    /**
     * Plain annotations of the Secret (never secret facts). Default none. They are outside the
     * checksum, so neither the name nor the pods' checksum annotation depends on them: changing
     * one updates the Secret in place and restarts no pod.
     */
    annotations?: Record<string, pulumi.Input<string>>;
}

export interface HashedSecret {
    secret: k8s.core.v1.Secret;
    /** The Secret's name, for `secretKeyRef` (depends on the Secret, so pods start after it exists). */
    name: pulumi.Output<string>;
    /** Keyed checksum (HMAC-SHA256) of the value, for a pod-template annotation. */
    checksum: pulumi.Output<string>;
}

/**
 * A Secret named after a hash of its content, like kustomize's secretGenerator. A new value
 * means a new name, so Pulumi replaces the Secret create-before-delete: the new Secret exists
 * before the Deployment's pod template points at it, and the old one is deleted only after the
 * rollout, so no starting pod can find its Secret missing. The value stays a Pulumi secret.
 */
export function hashedSecret(context: BuildContext, resourceName: string, args: HashedSecretArgs): HashedSecret {
    const stringData = pulumi.secret(pulumi.output(args.data));
    const checksum = checksumOf(stringData, context.checksumKey);
    const secret = new k8s.core.v1.Secret(
        resourceName,
        {
            metadata: objectMetadata(context, hashedName(args.prefix, checksum), args.annotations),
            type: "Opaque",
            // Content-addressed, so it never needs an in-place change; kubelets need not watch it.
            immutable: true,
            stringData,
        },
        { parent: context.parent, additionalSecretOutputs: ["data", "stringData"] },
    );
    return { secret, name: pulumi.unsecret(secret.metadata.name), checksum };
}
