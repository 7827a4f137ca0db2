import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { SECRET_VALUE_KEY } from "../constants";
import { checksumOf, hashedName } from "../hashing";

export interface HashedSecretArgs {
    /** Name prefix; `-<first 10 hex of sha256(value)>` is appended. */
    prefix: string;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    /** The secret value, stored under the key `value`. */
    value: pulumi.Input<string>;
}

export interface HashedSecret {
    secret: k8s.core.v1.Secret;
    /** The Secret's name, for `secretKeyRef` (depends on the Secret, so pods start after it exists). */
    name: pulumi.Output<string>;
    /** Full SHA-256 of the value, for a pod-template annotation. */
    checksum: pulumi.Output<string>;
}

/**
 * A Secret named after a hash of its content, like kustomize's secretGenerator. A new value
 * means a new name, so Pulumi replaces the Secret create-before-delete: the new Secret exists
 * before the Deployment's pod template points at it, and the old one is deleted only after the
 * rollout, so no starting pod can find its Secret missing. The value stays a Pulumi secret.
 */
export function hashedSecret(resourceName: string, args: HashedSecretArgs, parent: pulumi.Resource): HashedSecret {
    const value = pulumi.secret(args.value);
    const checksum = checksumOf(value);
    const secret = new k8s.core.v1.Secret(
        resourceName,
        {
            metadata: { name: hashedName(args.prefix, checksum), namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            // Content-addressed, so it never needs an in-place change; kubelets need not watch it.
            immutable: true,
            stringData: { [SECRET_VALUE_KEY]: value },
        },
        { parent, additionalSecretOutputs: ["data", "stringData"] },
    );
    return { secret, name: pulumi.unsecret(secret.metadata.name), checksum };
}
