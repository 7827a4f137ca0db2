/**
 * The token metrics of a `--check` run in the Prometheus text exposition format, modelled on
 * cert-manager's certificate metrics: per unit (a gateway of a stack) its token's expiry and
 * renewal instants and its status, and the instant of the run, so an alert can fire on an expiry
 * close at hand or on a schedule that stopped running. Written with prom-client's registry.
 */
import { Gauge, Registry } from "prom-client";
import type { RunReport, StackReport } from "../model/runReport";

/** The metric names, defined once (the alerting rules in rotation/schedules/ use them). */
export const METRIC_NAMES = {
    expiration: "apim_gateway_token_expiration_timestamp_seconds",
    renewal: "apim_gateway_token_renewal_timestamp_seconds",
    status: "apim_gateway_token_status",
    lastRun: "apim_gateway_rotation_last_run_timestamp_seconds",
} as const;

/** The values of the status metric's `status` label: a unit's status as `--check` judges it. */
export const TOKEN_STATUSES = ["fresh", "due", "expired", "invalidated", "not-applicable"] as const;
type TokenStatusLabel = (typeof TOKEN_STATUSES)[number];

/** The labels every unit series carries. */
const UNIT_LABELS = ["stack", "gateway", "gateway_resource_id"] as const;

type UnitLine = StackReport & { readonly gateway: string; readonly gatewayResourceId: string; readonly result: TokenStatusLabel };

function isJudgedUnit(line: StackReport): line is UnitLine {
    return (
        line.gateway !== undefined && line.gatewayResourceId !== undefined && (TOKEN_STATUSES as readonly string[]).includes(line.result)
    );
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** The text exposition of a `--check` report; units that could not be judged have no series. */
export async function renderMetrics(report: RunReport): Promise<string> {
    const registry = new Registry();
    const registers = [registry];
    const expiration = new Gauge({
        name: METRIC_NAMES.expiration,
        help: "When the gateway's access token expires, in Unix seconds.",
        labelNames: UNIT_LABELS,
        registers,
    });
    const renewal = new Gauge({
        name: METRIC_NAMES.renewal,
        help: "When the gateway's access token becomes due for renewal, in Unix seconds.",
        labelNames: UNIT_LABELS,
        registers,
    });
    const status = new Gauge({
        name: METRIC_NAMES.status,
        help: `The token's status as the rotation's --check judges it: 1 on the current one of ${TOKEN_STATUSES.join(", ")}.`,
        labelNames: [...UNIT_LABELS, "status"],
        registers,
    });
    const lastRun = new Gauge({
        name: METRIC_NAMES.lastRun,
        help: "When the rotation's check last ran to completion, in Unix seconds.",
        registers,
    });

    for (const line of report.stacks.filter(isJudgedUnit)) {
        const labels = { stack: line.stack, gateway: line.gateway, gateway_resource_id: line.gatewayResourceId };
        if (line.before !== undefined) {
            expiration.set(labels, seconds(line.before.expiresAt));
            renewal.set(labels, seconds(line.before.renewAfter));
        }
        for (const value of TOKEN_STATUSES) {
            status.set({ ...labels, status: value }, value === line.result ? 1 : 0);
        }
    }
    lastRun.set(seconds(report.finishedAt));
    return registry.metrics();
}
