/**
 * Why the gateway pods are not Ready, in one line per pod, from their status and their latest
 * Warning event: what the demo prints when `pulumi up` fails on an existing cluster (a pod not
 * scheduled, an image that cannot be pulled, a container restarting, a failing probe). Pure.
 */

/** The part of a Pod object the diagnosis reads. */
export interface PodState {
    readonly metadata: { readonly name: string };
    readonly spec?: { readonly nodeName?: string };
    readonly status?: {
        readonly phase?: string;
        readonly conditions?: readonly {
            readonly type: string;
            readonly status: string;
            readonly reason?: string;
            readonly message?: string;
        }[];
        readonly containerStatuses?: readonly {
            readonly name: string;
            readonly ready: boolean;
            readonly restartCount?: number;
            readonly state?: {
                readonly waiting?: { readonly reason?: string; readonly message?: string };
                readonly running?: object;
                readonly terminated?: { readonly reason?: string; readonly exitCode?: number };
            };
        }[];
    };
}

/** The part of an Event the diagnosis reads. */
export interface PodEvent {
    readonly involvedObject: { readonly kind?: string; readonly name: string };
    readonly type?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly lastTimestamp?: string;
    readonly eventTime?: string;
}

const condition = (pod: PodState, type: string) => pod.status?.conditions?.find((candidate) => candidate.type === type);
const oneLine = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim();
const when = (event: PodEvent) => event.lastTimestamp ?? event.eventTime ?? "";

/** The pod's own state: scheduling, then each container's. */
function state(pod: PodState): string {
    const scheduled = condition(pod, "PodScheduled");
    if (scheduled?.status === "False") {
        return `not scheduled: ${oneLine(scheduled.message) || scheduled.reason || "no reason given"}`;
    }
    const on = pod.spec?.nodeName === undefined ? "" : ` on ${pod.spec.nodeName}`;
    if (condition(pod, "Ready")?.status === "True") {
        return `Ready${on}`;
    }
    const containers = (pod.status?.containerStatuses ?? []).map((container) => {
        const { waiting, terminated } = container.state ?? {};
        const restarts = container.restartCount ? `, ${container.restartCount} restarts` : "";
        if (waiting !== undefined) {
            return (
                `container ${container.name} waiting: ` +
                `${waiting.reason ?? "?"}${waiting.message ? `: ${oneLine(waiting.message)}` : ""}${restarts}`
            );
        }
        if (terminated !== undefined) {
            return (
                `container ${container.name} terminated: ${terminated.reason ?? "?"} ` +
                `(exit code ${terminated.exitCode ?? "?"})${restarts}`
            );
        }
        return `container ${container.name} running, ${container.ready ? "ready" : "not ready"}${restarts}`;
    });
    return `${pod.status?.phase ?? "no status"}${on}${containers.length > 0 ? `, ${containers.join("; ")}` : ""}`;
}

/** One line per pod: its state and, when not Ready, its latest Warning event (a failing probe says why here). */
export function diagnosePods(pods: readonly PodState[], events: readonly PodEvent[]): string[] {
    if (pods.length === 0) {
        return ["no gateway pod exists (the Deployment made none: see the engine output above)"];
    }
    return pods.map((pod) => {
        const line = `pod ${pod.metadata.name}: ${state(pod)}`;
        if (condition(pod, "Ready")?.status === "True") {
            return line;
        }
        const warning = events
            .filter(
                (event) =>
                    event.involvedObject.name === pod.metadata.name &&
                    (event.involvedObject.kind ?? "Pod") === "Pod" &&
                    event.type === "Warning",
            )
            .sort((a, b) => when(a).localeCompare(when(b)))
            .at(-1);
        return warning === undefined ? line : `${line}; last warning: ${warning.reason ?? "?"}: ${oneLine(warning.message)}`;
    });
}
