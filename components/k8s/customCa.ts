import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CUSTOM_CA_PATHS, SSL_CERT_FILE_ENV } from "../constants";
import { BuildContext } from "../buildContext";
import { HashedConfigMap, hashedConfigMap } from "./configMap";

/**
 * Custom CA trust, for a configuration endpoint (custom domain) whose certificate a private CA
 * signs.
 *
 * Mechanism: the PEMs go into the `<base>-custom-ca-<hash>` ConfigMap. An init container, running the
 * gateway image itself with the same security context, concatenates the image's system bundle
 * (`/etc/ssl/certs/ca-certificates.crt`) and the PEMs into an emptyDir; the gateway container
 * gets `SSL_CERT_FILE` pointing at that merged bundle. The gateway is .NET on Linux, whose TLS
 * uses OpenSSL, and OpenSSL reads its default trust store from `SSL_CERT_FILE` when set; merging
 * keeps every public CA trusted (backends, Entra, Azure Monitor). This needs neither root (unlike
 * `update-ca-certificates`) nor a writable root filesystem, nor the gateway's
 * `certificates.local.ca.enabled`, which only covers CAs uploaded to API Management
 * (`certificateAuthorities`) and so cannot help reach the configuration endpoint in the first place.
 *
 * Returns the ConfigMap of custom CA PEMs, or `undefined` when there are none; a changed CA set
 * gets a new name and rolls the pods, so the init container re-runs.
 */
export function customCaConfigMap(context: BuildContext): HashedConfigMap | undefined {
    const { name, settings } = context;
    if (settings.customCaCertificates.length === 0) {
        return undefined;
    }
    // Each PEM ends in exactly one newline so that concatenated blocks never share a line.
    const data = Object.fromEntries(settings.customCaCertificates.map((pem, i) => [`ca-${i}.pem`, `${pem.trim()}\n`]));
    return hashedConfigMap(context, `${name}-custom-ca`, settings.names.customCaConfigMapPrefix, data);
}

/** What the custom CA trust adds to the pod. */
export interface CustomCaPodParts {
    initContainer: k8s.types.input.core.v1.Container;
    volumes: k8s.types.input.core.v1.Volume[];
    gatewayVolumeMounts: k8s.types.input.core.v1.VolumeMount[];
    gatewayEnv: k8s.types.input.core.v1.EnvVar[];
}

/** Init container, volumes, mount and env for {@link customCaConfigMap}'s ConfigMap. */
export function customCaPodParts(
    configMapName: pulumi.Input<string>,
    image: string,
    imagePullPolicy: string,
    securityContext: k8s.types.input.core.v1.SecurityContext,
): CustomCaPodParts {
    return {
        initContainer: {
            name: "merge-custom-ca",
            image,
            imagePullPolicy,
            command: [
                "/bin/sh",
                "-c",
                `cat ${CUSTOM_CA_PATHS.systemBundle} ${CUSTOM_CA_PATHS.sourceDir}/*.pem > ${CUSTOM_CA_PATHS.bundleFile}`,
            ],
            securityContext,
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
            volumeMounts: [
                { name: "custom-ca", mountPath: CUSTOM_CA_PATHS.sourceDir, readOnly: true },
                { name: "ca-bundle", mountPath: CUSTOM_CA_PATHS.bundleDir },
            ],
        },
        volumes: [
            { name: "custom-ca", configMap: { name: configMapName } },
            { name: "ca-bundle", emptyDir: { sizeLimit: "4Mi" } },
        ],
        gatewayVolumeMounts: [{ name: "ca-bundle", mountPath: CUSTOM_CA_PATHS.bundleDir, readOnly: true }],
        gatewayEnv: [{ name: SSL_CERT_FILE_ENV, value: CUSTOM_CA_PATHS.bundleFile }],
    };
}
