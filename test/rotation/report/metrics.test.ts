import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { parse } from "yaml";
import { replaceFileAtomically } from "../../../rotation/command/atomicFile";
import { METRIC_NAMES, TOKEN_STATUSES, renderMetrics } from "../../../rotation/report/metrics";
import type { RunReport, StackReport } from "../../../rotation/model/runReport";
import { GATEWAY_ID } from "../fakes";

// Prometheus's own PromQL grammar ships ESM types and a CommonJS build, which mocha's require loads.
const {
    parser,
}: typeof import("@prometheus-io/lezer-promql", { with: { "resolution-mode": "import" }}) = require("@prometheus-io/lezer-promql");

const token = (expiresAt: string, renewAfter: string) => ({ expiresAt, renewAfter, keyType: "primary" as const });
const unit = (stack: string, result: StackReport["result"], before?: ReturnType<typeof token>): StackReport => ({
    stack,
    gateway: "gateway",
    gatewayResourceId: GATEWAY_ID,
    action: "check",
    forced: false,
    result,
    ...(before ? { before } : {}),
});
const REPORT: RunReport = {
    mode: "check",
    force: false,
    regenerateUnusedKey: false,
    includePendingChanges: false,
    startedAt: "2025-06-15T12:00:00.000Z",
    finishedAt: "2025-06-15T12:00:07.500Z",
    stacks: [
        unit("dev", "fresh", token("2025-07-10T12:00:00.000Z", "2025-06-30T12:00:00.000Z")),
        unit("prod", "due", token("2025-06-20T12:00:00.000Z", "2025-06-10T12:00:00.000Z")),
        unit("keyless", "not-applicable"),
        { stack: "broken", action: "check", forced: false, result: "failed", message: "could not read" },
    ],
    errors: [],
    cancelled: false,
};

describe("token metrics (--check --metrics-file)", () => {
    let families: ReturnType<typeof parsePrometheusTextFormat>;
    before(async () => {
        families = parsePrometheusTextFormat(await renderMetrics(REPORT));
    });
    const family = (name: string) => families.find((entry) => entry.name === name) ?? assert.fail(`no ${name}`);
    const byStack = (name: string) =>
        Object.fromEntries(family(name).metrics.map((sample) => [sample.labels?.stack, Number(sample.value)]));

    it("writes exactly the four gauges, each with its help", () => {
        assert.deepEqual(
            families.map((entry) => [entry.name, entry.type]).sort(),
            Object.values(METRIC_NAMES)
                .map((name) => [name, "GAUGE"])
                .sort(),
        );
        assert.ok(families.every((entry) => entry.help.length > 20));
    });

    it("gives each token unit its expiry and renewal instants in Unix seconds, labelled stack, gateway and gateway_resource_id", () => {
        assert.deepEqual(byStack(METRIC_NAMES.expiration), {
            dev: Date.parse("2025-07-10T12:00:00Z") / 1000,
            prod: Date.parse("2025-06-20T12:00:00Z") / 1000,
        });
        assert.deepEqual(byStack(METRIC_NAMES.renewal), {
            dev: Date.parse("2025-06-30T12:00:00Z") / 1000,
            prod: Date.parse("2025-06-10T12:00:00Z") / 1000,
        });
        assert.deepEqual(family(METRIC_NAMES.expiration).metrics[0].labels, {
            stack: "dev",
            gateway: "gateway",
            gateway_resource_id: GATEWAY_ID,
        });
    });

    it("sets the status gauge to 1 on each unit's status and 0 on the others; a stack that could not be read has no series", () => {
        const status = family(METRIC_NAMES.status).metrics;
        for (const [stack, current] of [
            ["dev", "fresh"],
            ["prod", "due"],
            ["keyless", "not-applicable"],
        ]) {
            const samples = status.filter((sample) => sample.labels?.stack === stack);
            assert.deepEqual(samples.map((sample) => sample.labels?.status).sort(), [...TOKEN_STATUSES].sort(), stack);
            assert.deepEqual(
                samples.filter((sample) => sample.value === "1").map((sample) => sample.labels?.status),
                [current],
                stack,
            );
        }
        assert.ok(!status.some((sample) => sample.labels?.stack === "broken"));
    });

    it("gives the run's finish as the last run", () => {
        assert.deepEqual(
            family(METRIC_NAMES.lastRun).metrics.map((sample) => Number(sample.value)),
            [Date.parse(REPORT.finishedAt) / 1000],
        );
    });
});

describe("the metrics file is replaced atomically", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "metrics-file-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("replaces the file's content and leaves nothing else in the directory", async () => {
        const file = path.join(dir, "apim-gateway-token.prom");
        writeFileSync(file, "old 1\n");
        await replaceFileAtomically(file, "new 2\n");
        assert.equal(readFileSync(file, "utf8"), "new 2\n");
        assert.deepEqual(readdirSync(dir), ["apim-gateway-token.prom"]);
    });

    it("leaves no temporary file when the rename fails", async () => {
        const file = path.join(dir, "taken.prom");
        mkdirSync(path.join(file, "inside"), { recursive: true });
        await assert.rejects(() => replaceFileAtomically(file, "x 1\n"));
        assert.deepEqual(readdirSync(dir), ["taken.prom"]);
    });
});

describe("the example alerting rules", () => {
    const schedules = path.resolve(__dirname, "..", "..", "..", "rotation", "schedules");
    interface Rule {
        alert: string;
        expr: string;
        for?: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
    }
    const rules: Rule[] = parse(readFileSync(path.join(schedules, "prometheus-apim-gateway-token-alerts.yaml"), "utf8")).groups.flatMap(
        (group: { rules: Rule[] }) => group.rules,
    );

    /** The metric names an expression selects, from Prometheus's own PromQL grammar; fails on a syntax error. */
    function selectedMetrics(expression: string): string[] {
        const tree = parser.parse(expression);
        const names: string[] = [];
        tree.iterate({
            enter: (node) => {
                assert.ok(!node.type.isError, `syntax error in ${expression} at ${node.from}`);
                if (node.name === "VectorSelector") {
                    const identifier = node.node.getChild("Identifier");
                    if (identifier !== null) {
                        names.push(expression.slice(identifier.from, identifier.to));
                    }
                }
            },
        });
        return names;
    }

    it("parse as PromQL and select only the metrics the rotation writes", () => {
        const emitted = new Set<string>(Object.values(METRIC_NAMES));
        for (const rule of rules) {
            const names = selectedMetrics(rule.expr);
            assert.ok(names.length > 0, rule.alert);
            assert.deepEqual(
                names.filter((name) => !emitted.has(name)),
                [],
                rule.alert,
            );
        }
    });

    it("alert on an expiry under 3 days, an unusable token and no run for 2 days", () => {
        const expr = (alert: string) => rules.find((rule) => rule.alert === alert)?.expr;
        assert.equal(expr("ApimGatewayTokenExpiresSoon"), `${METRIC_NAMES.expiration} - time() < 3 * 24 * 3600`);
        assert.equal(expr("ApimGatewayRotationNotRunning"), `time() - ${METRIC_NAMES.lastRun} > 2 * 24 * 3600`);
        assert.match(
            expr("ApimGatewayTokenUnusable") ?? "",
            new RegExp(`^${METRIC_NAMES.status}\\{status=~"expired\\|invalidated"\\} == 1$`),
        );
        for (const status of ["expired", "invalidated"]) {
            assert.ok((TOKEN_STATUSES as readonly string[]).includes(status));
        }
    });

    it("are the Azure Monitor rule group's rules, expression for expression", () => {
        const template = JSON.parse(readFileSync(path.join(schedules, "azure-monitor-apim-gateway-token-alerts.json"), "utf8"));
        const group = template.resources.find(
            (resource: { type: string }) => resource.type === "Microsoft.AlertsManagement/prometheusRuleGroups",
        );
        const iso = (duration?: string) =>
            duration === undefined
                ? undefined
                : { m: `PT${duration.slice(0, -1)}M`, h: `PT${duration.slice(0, -1)}H`, d: `P${duration.slice(0, -1)}D` }[
                      duration.slice(-1)
                  ];
        assert.deepEqual(
            group.properties.rules.map((rule: { alert: string; expression: string; for?: string; annotations: unknown }) => [
                rule.alert,
                rule.expression,
                rule.for,
                rule.annotations,
            ]),
            rules.map((rule) => [rule.alert, rule.expr, iso(rule.for), rule.annotations]),
        );
        assert.ok(
            group.properties.rules.every(
                (rule: { actions: { actionGroupId: string }[] }) => rule.actions[0].actionGroupId === "[parameters('actionGroupId')]",
            ),
        );
    });
});
