import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResourceQuantities } from "../args";
import { AuthWiring } from "../auth/authWiring";
import { ANNOTATIONS, CONFIG_BACKUP_MOUNT_PATH, CONTAINER_PORTS, PORT_NAMES, STATUS_PATH } from "../constants";
import { ResolvedProbeTuning, ResolvedSettings } from "../settings";
import { customCaPodParts } from "./customCa";
import { nodeLogSocket } from "./localLogs";
import { containerSecurityContext, podSecurityContext } from "./securityContexts";

import Input = k8s.types.input.core.v1;

/** The objects the pod template refers to. */
export interface PodTemplateRefs {
    serviceAccountName: pulumi.Input<string>;
    configMapName: pulumi.Input<string>;
    configChecksum: pulumi.Input<string>;
    customCa?: { configMapName: pulumi.Input<string>; checksum: pulumi.Input<string> };
    /** The `secretEnv` entries, reading the Secret that holds them. */
    secretEnv: Input.EnvVar[];
    /** Name of the config-backup claim (created or existing), when the backup is on. */
    configBackupClaimName?: pulumi.Input<string>;
}

/** The gateway's pod template. */
export function gatewayPodTemplate(settings: ResolvedSettings, auth: AuthWiring, refs: PodTemplateRefs): Input.PodTemplateSpec {
    const { workload, image } = settings;
    const customCa =
        refs.customCa && customCaPodParts(refs.customCa.configMapName, image.reference, image.pullPolicy, containerSecurityContext);
    const volumes: Input.Volume[] = [...(customCa?.volumes ?? []), ...(auth.volumes ?? [])];
    const mounts: Input.VolumeMount[] = [...(customCa?.gatewayVolumeMounts ?? []), ...(auth.volumeMounts ?? [])];
    if (refs.configBackupClaimName !== undefined) {
        volumes.push({ name: "config-backup", persistentVolumeClaim: { claimName: refs.configBackupClaimName } });
        mounts.push({ name: "config-backup", mountPath: CONFIG_BACKUP_MOUNT_PATH });
    }
    const syslog = nodeLogSocket(settings.observability.local);
    if (syslog) {
        volumes.push(syslog.volume);
        mounts.push(syslog.mount);
    }

    const gateway: Input.Container = {
        name: "gateway",
        image: image.reference,
        imagePullPolicy: image.pullPolicy,
        ports: [
            { name: PORT_NAMES.http, containerPort: CONTAINER_PORTS.http, protocol: "TCP" },
            { name: PORT_NAMES.https, containerPort: CONTAINER_PORTS.https, protocol: "TCP" },
            { name: PORT_NAMES.rateLimitDiscovery, containerPort: settings.instanceDiscovery.synchronizationPort, protocol: "UDP" },
            { name: PORT_NAMES.heartbeat, containerPort: settings.instanceDiscovery.heartbeatPort, protocol: "UDP" },
        ],
        env: [...auth.env, ...(customCa?.gatewayEnv ?? []), ...workload.proxyEnv, ...workload.env, ...refs.secretEnv],
        envFrom: [{ configMapRef: { name: refs.configMapName } }],
        resources: { requests: quantities(workload.resources.requests), limits: quantities(workload.resources.limits) },
        // The startup probe gives a pod restoring its configuration time before liveness counts.
        startupProbe: statusProbe(workload.probes.startup),
        readinessProbe: statusProbe(workload.probes.readiness),
        livenessProbe: statusProbe(workload.probes.liveness),
        securityContext: containerSecurityContext,
        volumeMounts: mounts.length > 0 ? mounts : undefined,
    };

    return {
        metadata: {
            labels: settings.labels.pod,
            annotations: {
                ...workload.podAnnotations,
                [ANNOTATIONS.configChecksum]: refs.configChecksum,
                ...(refs.customCa ? { [ANNOTATIONS.customCaChecksum]: refs.customCa.checksum } : {}),
                ...auth.podAnnotations,
            },
        },
        spec: {
            serviceAccountName: refs.serviceAccountName,
            automountServiceAccountToken: auth.automountServiceAccountToken,
            securityContext: podSecurityContext,
            terminationGracePeriodSeconds: workload.terminationGracePeriodSeconds,
            dnsPolicy: workload.dns.policy,
            dnsConfig: workload.dns.config,
            hostAliases: workload.hostAliases,
            imagePullSecrets: image.pullSecrets.length > 0 ? image.pullSecrets.map((name) => ({ name })) : undefined,
            initContainers: customCa ? [customCa.initContainer] : undefined,
            containers: [gateway],
            volumes: volumes.length > 0 ? volumes : undefined,
            topologySpreadConstraints: topologySpread(settings),
            affinity: affinity(settings),
            nodeSelector: workload.nodeSelector,
            tolerations: workload.tolerations,
            priorityClassName: workload.priorityClassName,
        },
    };
}

function quantities(values: ResourceQuantities | undefined): Record<string, string> | undefined {
    const defined = Object.entries(values ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return defined.length > 0 ? Object.fromEntries(defined) : undefined;
}

/** The API server's default `initialDelaySeconds` of a probe. */
const KUBERNETES_DEFAULT_INITIAL_DELAY_SECONDS = 0;

/**
 * `initialDelaySeconds: 0` is Kubernetes' default, which the stored state drops; sending it would
 * show as an addition in every detailed diff (noise the rotation's pending-changes guard would
 * take for a pending change), so only a non-default delay is sent.
 */
function statusProbe(tuning: ResolvedProbeTuning): Input.Probe {
    const { initialDelaySeconds, ...rest } = tuning;
    return {
        httpGet: { path: STATUS_PATH, port: PORT_NAMES.http, scheme: "HTTP" },
        ...(initialDelaySeconds !== KUBERNETES_DEFAULT_INITIAL_DELAY_SECONDS ? { initialDelaySeconds } : {}),
        ...rest,
    };
}

function topologySpread(settings: ResolvedSettings): Input.TopologySpreadConstraint[] | undefined {
    const spread = settings.highAvailability.topologySpread;
    if (!spread.enabled) {
        return undefined;
    }
    return spread.topologyKeys.map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: spread.whenUnsatisfiable,
        labelSelector: { matchLabels: settings.labels.selector },
        // Spread each revision on its own: counted together, a rollout's old pods steer the new
        // ones, and once the old are gone the new can sit two to a zone (seen in `npm run demo`).
        matchLabelKeys: ["pod-template-hash"],
    }));
}

function affinity(settings: ResolvedSettings): Input.Affinity | undefined {
    const mode = settings.highAvailability.podAntiAffinity;
    const base = settings.workload.affinity;
    if (mode === "none") {
        return base;
    }
    const term = { labelSelector: { matchLabels: settings.labels.selector }, topologyKey: "kubernetes.io/hostname" };
    const podAntiAffinity: Input.PodAntiAffinity =
        mode === "required"
            ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
    return { ...base, podAntiAffinity };
}
