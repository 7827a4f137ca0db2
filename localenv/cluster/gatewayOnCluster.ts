/**
 * The repository's stack program pointed at a local control plane instead of rendering YAML: the
 * stack config that does it, and the objects a cluster needs that no component creates (a static
 * PersistentVolume, because no storage provisioner runs).
 */
import { KubeApi } from "./kubeApi";

/** The StorageClass name the static volumes and the gateway's backup claim share. */
export const STATIC_STORAGE_CLASS = "static-rwx";

/**
 * Stack config overrides that deploy to the cluster of the kubeconfig file at `kubeconfigFile`: render mode off, the provider's
 * defaults (server-side apply, await logic) kept, and a ClusterIP live-traffic Service because
 * no load-balancer controller would ever give a LoadBalancer an address to wait for.
 */
export function clusterStackConfig(kubeconfigFile: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        renderYamlToDirectory: undefined,
        // A path, not the contents: a kubeconfig with credentials in plain stack config is refused.
        kubeconfig: kubeconfigFile,
        service: { type: "ClusterIP" },
        configBackup: { storageClassName: STATIC_STORAGE_CLASS },
        ...overrides,
    };
}

/**
 * A ReadWriteMany hostPath PersistentVolume of the static class, for the backup claim to bind
 * to. Nothing mounts it: kwok starts no container.
 */
export async function createStaticVolume(api: KubeApi, name: string, size = "1Gi"): Promise<void> {
    await api.create("/api/v1/persistentvolumes", {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name },
        spec: {
            capacity: { storage: size },
            accessModes: ["ReadWriteMany"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: STATIC_STORAGE_CLASS,
            hostPath: { path: `/tmp/${name}`, type: "DirectoryOrCreate" },
        },
    });
}
