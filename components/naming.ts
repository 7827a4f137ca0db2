import { KubernetesNames } from "./settings";

/** Every Kubernetes object name, derived from the base name (the Helm chart's and portal's suffixes). */
export function kubernetesNames(base: string): KubernetesNames {
    return {
        base,
        deployment: base,
        serviceAccount: base,
        configMapPrefix: `${base}-env`,
        liveTrafficService: `${base}-live-traffic`,
        instanceDiscoveryService: `${base}-instance-discovery`,
        configBackupClaim: `${base}-config-backup`,
        customCaConfigMapPrefix: `${base}-custom-ca`,
        disruptionBudget: base,
        autoscaler: base,
        networkPolicy: base,
        tokenSecretPrefix: `${base}-token`,
        clientSecretPrefix: `${base}-azure-ad`,
        secretEnvPrefix: `${base}-secret-env`,
    };
}

/** ARM id of a hostname configuration: the hostname with every other character made `-`. */
export function hostnameConfigurationId(hostname: string): string {
    return hostname
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 80);
}
