/**
 * Samples a Deployment's status and its live-traffic Service's ready endpoints while something
 * (a rotation) runs, to show availability never dipped. Each sample is one GET of each, taken
 * every `intervalMs`; a sample never overlaps the previous one.
 */
import { KubeApi } from "./kubeApi";
import { gatewayDeployment, readyEndpoints } from "./gatewayObjects";

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
    let samples = 0;
    let minAvailable = Number.POSITIVE_INFINITY;
    let minReadyEndpoints = Number.POSITIVE_INFINITY;
    let maxReplicas = 0;
    const everReady = new Set<string>();
    const errors: string[] = [];
    let running = true;

    const loop = (async () => {
        while (running) {
            const tick = performance.now();
            try {
                const [deployment, endpoints] = await Promise.all([gatewayDeployment(api, namespace), readyEndpoints(api, namespace, service)]);
                samples += 1;
                minAvailable = Math.min(minAvailable, deployment.status?.availableReplicas ?? 0);
                maxReplicas = Math.max(maxReplicas, deployment.status?.replicas ?? 0);
                minReadyEndpoints = Math.min(minReadyEndpoints, endpoints.length);
                endpoints.forEach((address) => everReady.add(address));
            } catch (error) {
                errors.push((error as Error).message);
            }
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - tick))));
        }
    })();

    return {
        async stop() {
            running = false;
            await loop;
            return { samples, minAvailable, minReadyEndpoints, maxReplicas, everReady, errors };
        },
    };
}
