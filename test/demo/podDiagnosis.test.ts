import * as assert from "node:assert/strict";
import { diagnosePods, PodEvent, PodState } from "../../demo/podDiagnosis";

const ready = { type: "Ready", status: "True" };
const notReady = { type: "Ready", status: "False" };

function pod(name: string, status: PodState["status"], nodeName?: string): PodState {
    return { metadata: { name }, spec: { nodeName }, status };
}

function warning(name: string, reason: string, message: string, lastTimestamp: string): PodEvent {
    return { involvedObject: { kind: "Pod", name }, type: "Warning", reason, message, lastTimestamp };
}

describe("npm run demo --kube-context: why the gateway pods are not Ready", () => {
    const cases: { what: string; pods: PodState[]; events?: PodEvent[]; expected: string[] }[] = [
        { what: "no pod at all", pods: [], expected: ["no gateway pod exists (the Deployment made none: see the engine output above)"] },
        {
            what: "not scheduled: the scheduler's message",
            pods: [
                pod("gw-1", {
                    phase: "Pending",
                    conditions: [
                        {
                            type: "PodScheduled",
                            status: "False",
                            reason: "Unschedulable",
                            message: "0/1 nodes are available:\n 1 Insufficient cpu.",
                        },
                    ],
                }),
            ],
            expected: ["pod gw-1: not scheduled: 0/1 nodes are available: 1 Insufficient cpu."],
        },
        {
            what: "an image that cannot be pulled",
            pods: [
                pod(
                    "gw-1",
                    {
                        phase: "Pending",
                        conditions: [notReady],
                        containerStatuses: [
                            {
                                name: "gateway",
                                ready: false,
                                state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } },
                            },
                        ],
                    },
                    "kind-worker",
                ),
            ],
            expected: ["pod gw-1: Pending on kind-worker, container gateway waiting: ImagePullBackOff: Back-off pulling image"],
        },
        {
            what: "running but failing its probe: the latest Warning event says why",
            pods: [
                pod(
                    "gw-1",
                    {
                        phase: "Running",
                        conditions: [notReady],
                        containerStatuses: [{ name: "gateway", ready: false, restartCount: 2, state: { running: {} } }],
                    },
                    "kind-worker",
                ),
            ],
            events: [
                warning("gw-1", "Unhealthy", "Startup probe failed: HTTP probe failed with statuscode: 503", "2026-12-01T01:02:00Z"),
                warning("gw-1", "BackOff", "Back-off restarting failed container", "2026-12-01T01:01:00Z"),
                {
                    involvedObject: { kind: "Pod", name: "gw-1" },
                    type: "Normal",
                    reason: "Pulled",
                    message: "image pulled",
                    lastTimestamp: "2026-12-01T01:03:00Z",
                },
                warning("gw-2", "Unhealthy", "someone else's", "2026-12-01T01:04:00Z"),
            ],
            expected: [
                "pod gw-1: Running on kind-worker, container gateway running, not ready, 2 restarts; " +
                    "last warning: Unhealthy: Startup probe failed: HTTP probe failed with statuscode: 503",
            ],
        },
        {
            what: "a container that exited",
            pods: [
                pod(
                    "gw-1",
                    {
                        phase: "Running",
                        conditions: [notReady],
                        containerStatuses: [
                            { name: "gateway", ready: false, restartCount: 1, state: { terminated: { reason: "Error", exitCode: 139 } } },
                        ],
                    },
                    "n1",
                ),
            ],
            expected: ["pod gw-1: Running on n1, container gateway terminated: Error (exit code 139), 1 restarts"],
        },
        {
            what: "Ready pods are said to be Ready, without their old warnings",
            pods: [pod("gw-1", { phase: "Running", conditions: [ready] }, "n1"), pod("gw-2", { phase: "Pending" })],
            events: [warning("gw-1", "Unhealthy", "was slow", "2026-12-01T01:00:00Z")],
            expected: ["pod gw-1: Ready on n1", "pod gw-2: Pending"],
        },
    ];
    for (const { what, pods, events, expected } of cases) {
        it(what, () => assert.deepEqual(diagnosePods(pods, events ?? []), expected));
    }
});
