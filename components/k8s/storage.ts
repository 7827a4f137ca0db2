import * as k8s from "@pulumi/kubernetes";
import { BuildContext, objectMetadata } from "../buildContext";

/**
 * The configuration-backup claim (ReadWriteMany by default, so every replica shares the last
 * configuration). `undefined` when the backup is off or an existing claim is used.
 */
export function configBackupClaim(context: BuildContext): k8s.core.v1.PersistentVolumeClaim | undefined {
    const { name, settings, parent } = context;
    const backup = settings.configBackup;
    if (!backup.enabled || !backup.createClaim) {
        return undefined;
    }
    return new k8s.core.v1.PersistentVolumeClaim(
        `${name}-config-backup`,
        {
            // A WaitForFirstConsumer class binds only once the gateway pods exist, and they come
            // after this claim: waiting for Bound here could deadlock. The Deployment's own
            // readiness wait covers a claim that never binds.
            metadata: objectMetadata(context, backup.claimName, { "pulumi.com/skipAwait": "true" }),
            spec: {
                accessModes: [backup.accessMode],
                storageClassName: backup.storageClassName,
                resources: { requests: { storage: backup.size } },
            },
        },
        { parent },
    );
}
