/**
 * Samples a Deployment's status and its live-traffic Service's ready endpoints while something
 * (a rotation) runs, to show availability never dipped. Each sample is one GET of each, taken
 * every `intervalMs`; a sample never overlaps the previous one.
 */
import { KubeApi } from "./kubeApi";
import { gatewayDeployment, readyEndpoints } from "./gatewayObjects";
import { sampleEvery } from "./sampler";

/** What the samples showed. */
export interface RolloutObservation {
    readonly samples: number;
    /** Lowest `status.availableReplicas` seen. */
    readonly minAvailable: number;
    /** Fewest ready addresses in the Service's EndpointSlices. */
    readonly minReadyEndpoints: number;
    /** Most `status.replicas` seen (old and new pods together: the surge). */
    readonly maxReplicas: number;
    /** Every address that was ever a ready endpoint. */
    readonly everReady: ReadonlySet<string>;
    /** Sampling errors (an API call that failed), which make the minimums unknown for that instant. */
    readonly errors: readonly string[];
}

/** A running watcher; `stop()` ends it and returns what it saw. */
export interface RolloutWatcher {
    stop(): Promise<RolloutObservation>;
}

export function watchRollout(api: KubeApi, namespace: string, service: string, intervalMs = 75): RolloutWatcher {
    const sampler = sampleEvery(intervalMs, async () => {
        const [deployment, endpoints] = await Promise.all([gatewayDeployment(api, namespace), readyEndpoints(api, namespace, service)]);
        return { available: deployment.status?.availableReplicas ?? 0, replicas: deployment.status?.replicas ?? 0, endpoints };
    });
    return {
        async stop() {
            const { samples, errors } = await sampler.stop();
            return {
                samples: samples.length,
                minAvailable: Math.min(...samples.map((s) => s.available)),
                minReadyEndpoints: Math.min(...samples.map((s) => s.endpoints.length)),
                maxReplicas: Math.max(0, ...samples.map((s) => s.replicas)),
                everReady: new Set(samples.flatMap((s) => s.endpoints)),
                errors,
            };
        },
    };
}
