/**
 * Every closed set of values the component accepts, each defined once: the argument types are
 * derived from these lists, and the component's checks and the stack config schema use them.
 */

export const PROFILES = ["production", "development"] as const;
export const AUTH_TYPES = ["token", "workloadIdentity", "azureAdApp", "existingTokenSecret"] as const;
export const IMAGE_PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
export const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] as const;
export const SERVICE_TYPES = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
export const EXTERNAL_TRAFFIC_POLICIES = ["Local", "Cluster"] as const;
/** Who can reach a LoadBalancer Service: the private network (AKS internal load balancer) or the internet. */
export const SERVICE_EXPOSURES = ["internal", "public"] as const;
export const VOLUME_ACCESS_MODES = ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"] as const;
export const STD_LOG_FORMATS = ["text", "json", "none"] as const;
export const LOG_LEVELS = ["all", "debug", "info", "warn", "error", "fatal"] as const;
export const LOCAL_LOG_TYPES = ["auto", "none", "localsyslog", "rfc5424", "journal", "json"] as const;
/** Local log types that take an endpoint, and those that take a syslog facility. */
export const LOCAL_LOG_TYPES_WITH_ENDPOINT = ["localsyslog", "rfc5424", "journal", "json"] as const;
export const LOCAL_LOG_TYPES_WITH_FACILITY = ["localsyslog", "rfc5424"] as const;
/** `telemetry.metrics.local.statsd.tag-format`, as Microsoft's settings reference documents it. */
export const STATSD_TAG_FORMATS = ["librato", "dogStatsD", "influxDB", "none"] as const;
export const WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"] as const;
export const POD_ANTI_AFFINITY_MODES = ["none", "preferred", "required"] as const;

/**
 * How strictly the component enforces the production guidance.
 *
 * - `"production"`: unsafe values (fewer than 2 replicas, moving image tags, the `default` or a
 *   system namespace, no resource requests, an autoscaler minimum below 2, a token renewed fewer
 *   than 3 days ahead) are rejected when the component is constructed.
 * - `"development"`: the same values are allowed, each with a `pulumi.log.warn`.
 */
export type Profile = (typeof PROFILES)[number];
export type AuthType = (typeof AUTH_TYPES)[number];
export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];
export type DnsPolicy = (typeof DNS_POLICIES)[number];
export type ServiceType = (typeof SERVICE_TYPES)[number];
export type ExternalTrafficPolicy = (typeof EXTERNAL_TRAFFIC_POLICIES)[number];
export type ServiceExposure = (typeof SERVICE_EXPOSURES)[number];
export type VolumeAccessMode = (typeof VOLUME_ACCESS_MODES)[number];
export type StdLogFormat = (typeof STD_LOG_FORMATS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LocalLogType = (typeof LOCAL_LOG_TYPES)[number];
export type StatsdTagFormat = (typeof STATSD_TAG_FORMATS)[number];
export type WhenUnsatisfiable = (typeof WHEN_UNSATISFIABLE)[number];
export type PodAntiAffinityMode = (typeof POD_ANTI_AFFINITY_MODES)[number];
