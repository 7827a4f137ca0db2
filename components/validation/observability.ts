/** Rules for local logs and metrics. */
import { SelfHostedGatewayArgs } from "../args";
import { isIntegerInRange } from "../formats";
import { isHttpUrl, Problems } from "./checks";
import { LOCAL_LOG_TYPES_WITH_ENDPOINT, LOCAL_LOG_TYPES_WITH_FACILITY } from "../enums";

export function checkObservability(args: SelfHostedGatewayArgs, p: Problems): void {
    const o = args.observability;
    const local = o?.logs?.local;
    if (local !== undefined) {
        if (local.endpoint !== undefined && !(LOCAL_LOG_TYPES_WITH_ENDPOINT as readonly string[]).includes(local.type)) {
            p.add(
                "observability.logs.local.endpoint",
                `does not apply to local log type "${local.type}"`,
                "Remove it, or use type localsyslog, rfc5424, journal or json.",
            );
        }
        if (local.endpoint !== undefined && (typeof local.endpoint !== "string" || local.endpoint.length === 0)) {
            p.add("observability.logs.local.endpoint", "must be a non-empty host:port", 'Use e.g. "127.0.0.1:8888".');
        }
        if (local.facility !== undefined) {
            if (!(LOCAL_LOG_TYPES_WITH_FACILITY as readonly string[]).includes(local.type)) {
                p.add(
                    "observability.logs.local.facility",
                    `does not apply to local log type "${local.type}"`,
                    "Remove it, or use type localsyslog or rfc5424.",
                );
            } else if (!isIntegerInRange(local.facility, 0, 23)) {
                p.add(
                    "observability.logs.local.facility",
                    `must be a syslog facility 0 to 23, got ${String(local.facility)}`,
                    "Fix the value.",
                );
            }
        }
    }
    const statsd = o?.metrics?.statsd;
    if (statsd !== undefined) {
        if (!/^[^\s:]+:\d{1,5}$/.test(statsd.endpoint)) {
            p.add(
                "observability.metrics.statsd.endpoint",
                `${JSON.stringify(statsd.endpoint)} is not a host:port`,
                'Use e.g. "statsd-exporter.monitoring:8125".',
            );
        }
        if (statsd.sampling !== undefined && !(statsd.sampling > 0 && statsd.sampling <= 1)) {
            p.add("observability.metrics.statsd.sampling", `must be above 0 and at most 1, got ${String(statsd.sampling)}`, "Use e.g. 1.");
        }
    }
    const otel = o?.metrics?.openTelemetry;
    if (otel !== undefined) {
        if (!isHttpUrl(otel.collectorUri)) {
            p.add(
                "observability.metrics.openTelemetry.collectorUri",
                `${JSON.stringify(otel.collectorUri)} is not an http(s) URI`,
                'Use e.g. "http://otel-collector.monitoring:4317/".',
            );
        }
        const buckets = otel.histogramBuckets;
        if (buckets !== undefined && (buckets.length === 0 || buckets.some((b, i) => !(b > 0) || (i > 0 && b <= buckets[i - 1])))) {
            p.add(
                "observability.metrics.openTelemetry.histogramBuckets",
                "must be positive numbers in ascending order",
                "Use e.g. [0.1, 0.5, 1, 5].",
            );
        }
    }
}
