import * as k8s from "@pulumi/kubernetes";
import { LocalLogsArgs } from "../args";

/** `localsyslog` without an endpoint writes to the node's `/dev/log` socket, as in the Helm chart. */
export function usesNodeLogSocket(local: LocalLogsArgs): boolean {
    return local.type === "localsyslog" && local.endpoint === undefined;
}

/** The hostPath volume and mount of the node's syslog socket, when the local logs need it. */
export function nodeLogSocket(
    local: LocalLogsArgs,
): { volume: k8s.types.input.core.v1.Volume; mount: k8s.types.input.core.v1.VolumeMount } | undefined {
    if (!usesNodeLogSocket(local)) {
        return undefined;
    }
    return {
        volume: { name: "syslog-socket", hostPath: { path: "/dev/log", type: "Socket" } },
        mount: { name: "syslog-socket", mountPath: "/dev/log" },
    };
}
