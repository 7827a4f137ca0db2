import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME } from "./constants";
import { ResolvedSettings } from "./settings";

/**
 * The gateway settings of the ConfigMap (read through `envFrom`): endpoint, identity, discovery,
 * deployment provenance, telemetry, the auth mode's settings, then the pass-through settings
 * (validation has already refused pass-through keys that collide with these).
 */
export function gatewayConfigData(
    settings: ResolvedSettings,
    authSettings: Record<string, pulumi.Input<string>>,
): Record<string, pulumi.Input<string>> {
    const { observability: o, highAvailability: ha } = settings;
    const highAvailability = ha.topologySpread.enabled || ha.podAntiAffinity !== "none" || ha.disruptionBudget.enabled;
    return {
        "config.service.endpoint": settings.configuration.endpoint,
        "gateway.name": settings.apim.gatewayId,
        "neighborhood.host": settings.names.instanceDiscoveryService,
        "runtime.deployment.mechanism": "Pulumi",
        "runtime.deployment.orchestrator.type": "Kubernetes",
        "runtime.deployment.artifact.source": PACKAGE_NAME,
        "runtime.deployment.artifact.version": settings.configuration.packageVersion,
        "runtime.deployment.highAvailability.enabled": String(highAvailability),
        "telemetry.logs.std": o.std.format,
        "telemetry.logs.std.level": o.std.level,
        "telemetry.logs.std.color": String(o.std.color),
        ...localLogSettings(settings),
        ...metricsSettings(settings),
        "telemetry.metrics.cloud": String(o.azureMonitor),
        ...networkSettings(settings),
        ...authSettings,
        ...settings.configuration.settings,
    };
}

function localLogSettings(settings: ResolvedSettings): Record<string, string> {
    const local = settings.observability.local;
    return {
        "telemetry.logs.local": local.type,
        ...(local.endpoint !== undefined ? { [`telemetry.logs.local.${local.type}.endpoint`]: local.endpoint } : {}),
        ...(local.facility !== undefined ? { [`telemetry.logs.local.${local.type}.facility`]: String(local.facility) } : {}),
    };
}

function metricsSettings(settings: ResolvedSettings): Record<string, string> {
    const { statsd, openTelemetry } = settings.observability.metrics;
    return {
        "telemetry.metrics.local": statsd ? "statsd" : "none",
        ...(statsd
            ? {
                  "telemetry.metrics.local.statsd.endpoint": statsd.endpoint,
                  "telemetry.metrics.local.statsd.sampling": String(statsd.sampling),
                  "telemetry.metrics.local.statsd.tag-format": statsd.tagFormat,
              }
            : {}),
        "observability.opentelemetry.enabled": String(openTelemetry !== undefined),
        ...(openTelemetry
            ? {
                  "observability.opentelemetry.collector.uri": openTelemetry.collectorUri,
                  ...(openTelemetry.histogramBuckets
                      ? { "observability.opentelemetry.histogram.buckets": openTelemetry.histogramBuckets.join(",") }
                      : {}),
                  "observability.opentelemetry.system-metrics.enabled": String(openTelemetry.systemMetrics),
              }
            : {}),
    };
}

/** Instance discovery ports and TLS cipher suites (written only when set, else the gateway's defaults apply). */
function networkSettings(settings: ResolvedSettings): Record<string, string> {
    const { instanceDiscovery, tls } = settings;
    return {
        "policy.rate-limit.sync.port": String(instanceDiscovery.synchronizationPort),
        "neighborhood.heartbeat.port": String(instanceDiscovery.heartbeatPort),
        ...(tls.serverCipherSuites !== undefined ? { "net.server.tls.ciphers.allowed-suites": tls.serverCipherSuites } : {}),
        ...(tls.clientCipherSuites !== undefined ? { "net.client.tls.ciphers.allowed-suites": tls.clientCipherSuites } : {}),
    };
}
