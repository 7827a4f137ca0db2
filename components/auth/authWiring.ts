import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { GatewayToken } from "../token/gatewayToken";

/** What an auth mode contributes to the Kubernetes objects. */
export interface AuthWiring {
    /** Gateway settings for the ConfigMap. */
    settings: Record<string, pulumi.Input<string>>;
    /** Environment variables of the gateway container (secret references only). */
    env: k8s.types.input.core.v1.EnvVar[];
    /** Pod-template annotations: checksums that roll the pods when a secret changes. */
    podAnnotations: Record<string, pulumi.Input<string>>;
    /** Annotations of the ServiceAccount. */
    serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** Mount the ServiceAccount token only when the mode authenticates with it. */
    automountServiceAccountToken: boolean;
    /** Volumes the mode mounts into the gateway container (the Entra app's certificate). */
    volumes?: k8s.types.input.core.v1.Volume[];
    volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
    /** Token auth: the access token resource. */
    token?: GatewayToken;
    /** The Secret holding the token or the client secret. */
    secret?: k8s.core.v1.Secret;
    /** Workload identity: the user-assigned identity the component created. */
    identity?: managedidentity.UserAssignedIdentity;
}
