import * as k8s from "@pulumi/kubernetes";
import { GATEWAY_UID } from "../constants";

/**
 * Pod security: non-root as UID/GID 1001 (the image's user; the config backup and local CAs need
 * it) and `fsGroup` 1001 so the backup volume is writable (issue #83's UnauthorizedAccessException).
 */
export const podSecurityContext: k8s.types.input.core.v1.PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: GATEWAY_UID,
    runAsGroup: GATEWAY_UID,
    fsGroup: GATEWAY_UID,
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Container security: no privilege escalation, no capabilities. Deliberately not
 * `readOnlyRootFilesystem`: the gateway writes under `/etc/ssl/certs` at start and fails with a
 * read-only root (Azure/api-management-self-hosted-gateway#82).
 */
export const containerSecurityContext: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
};
