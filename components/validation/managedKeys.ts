import { AUTH_ENV, CLIENT_SECRET_ENV, ENTRA_SETTINGS, PROXY_ENV } from "../constants";

/**
 * Gateway settings the component writes itself, each with the argument that controls it. A
 * pass-through setting or extra env var with one of these names would silently fight the typed
 * option (env wins over the ConfigMap), so it is refused with a pointer to the option.
 */
export const MANAGED_SETTINGS: Readonly<Record<string, string>> = {
    "config.service.endpoint": "configuration.endpoint",
    [AUTH_ENV]: "auth",
    [ENTRA_SETTINGS.tenantId]: "auth.tenantId",
    [ENTRA_SETTINGS.clientId]: "auth.clientId",
    [ENTRA_SETTINGS.authority]: "auth.authority",
    [ENTRA_SETTINGS.certificatePath]: "auth.clientCertificate",
    [CLIENT_SECRET_ENV]: "auth.clientSecret",
    "gateway.name": "gatewayId",
    "neighborhood.host": "kubernetesName",
    "runtime.deployment.mechanism": "(set by the component)",
    "runtime.deployment.orchestrator.type": "(set by the component)",
    "runtime.deployment.artifact.source": "(set by the component)",
    "runtime.deployment.artifact.version": "(set by the component)",
    "runtime.deployment.highAvailability.enabled": "highAvailability",
    "telemetry.logs.std": "observability.logs.std.format",
    "telemetry.logs.std.level": "observability.logs.std.level",
    "telemetry.logs.std.color": "observability.logs.std.color",
    "telemetry.logs.local": "observability.logs.local.type",
    "telemetry.logs.local.localsyslog.endpoint": "observability.logs.local.endpoint",
    "telemetry.logs.local.localsyslog.facility": "observability.logs.local.facility",
    "telemetry.logs.local.rfc5424.endpoint": "observability.logs.local.endpoint",
    "telemetry.logs.local.rfc5424.facility": "observability.logs.local.facility",
    "telemetry.logs.local.journal.endpoint": "observability.logs.local.endpoint",
    "telemetry.logs.local.json.endpoint": "observability.logs.local.endpoint",
    "telemetry.metrics.local": "observability.metrics",
    "telemetry.metrics.local.statsd.endpoint": "observability.metrics.endpoint",
    "telemetry.metrics.local.statsd.sampling": "observability.metrics.sampling",
    "telemetry.metrics.local.statsd.tag-format": "observability.metrics.tagFormat",
    "observability.opentelemetry.enabled": "observability.metrics",
    "observability.opentelemetry.collector.uri": "observability.metrics.collectorUri",
    "observability.opentelemetry.histogram.buckets": "observability.metrics.histogramBuckets",
    "observability.opentelemetry.system-metrics.enabled": "observability.metrics.systemMetrics",
    "telemetry.metrics.cloud": "observability.azureMonitor",
    "policy.rate-limit.sync.port": "instanceDiscovery.synchronizationPort",
    "neighborhood.heartbeat.port": "instanceDiscovery.heartbeatPort",
    "net.server.tls.ciphers.allowed-suites": "tls.serverCipherSuites",
    "net.client.tls.ciphers.allowed-suites": "tls.clientCipherSuites",
};

/** Environment variables the component sets from a typed option (refused in `env`). */
export const MANAGED_ENV: Readonly<Record<string, string>> = {
    [PROXY_ENV.http]: "proxy.http",
    [PROXY_ENV.https]: "proxy.https",
    [PROXY_ENV.noProxy]: "proxy.noProxy",
};

/**
 * The form in which the gateway compares setting names: .NET configuration keys are
 * case-insensitive, and environment variables use `_` or `__` where settings use `.` or `:`.
 * So `CONFIG.SERVICE.ENDPOINT` or `config_service_endpoint` would still override a managed setting.
 */
export function settingIdentity(key: string): string {
    return key.toLowerCase().replace(/__|[_:]/g, ".");
}

const MANAGED_BY_IDENTITY = new Map(
    [...Object.entries(MANAGED_SETTINGS), ...Object.entries(MANAGED_ENV)].map(([key, option]) => [settingIdentity(key), { key, option }]),
);

/** The managed setting or env var that a name would override, in any case or separator variant. */
export function managedSettingFor(key: string): { key: string; option: string } | undefined {
    return MANAGED_BY_IDENTITY.get(settingIdentity(key));
}
