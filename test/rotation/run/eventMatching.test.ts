import { strict as assert } from "node:assert";
import { type RotationUnitOutput, parseRotationOutput } from "../../../components/contract/rotationContract";
import type { GatewayExpiry } from "../../../rotation/azure/expiryEvents";
import { planUnit } from "../../../rotation/policy/decision";
import { assessUnit } from "../../../rotation/policy/tokenRules";
import { holdsGateway, planEvents } from "../../../rotation/run/eventMatching";
import { unitId } from "../../../rotation/run/renewals";
import type { JudgedUnit } from "../../../rotation/run/stackReader";
import { GATEWAY_ID, NOW, memoryLogger, tokenUnit } from "../fakes";

const SUB = "00000000-0000-0000-0000-000000000000";
const UNIT = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1`;

const expiry = (serviceResourceId: string, gateway: string): GatewayExpiry => ({
    serviceResourceId,
    gateway,
    eventTypes: ["Microsoft.ApiManagement.GatewayTokenNearExpiry"],
    instances: [],
    expiresAt: "2025-07-01T00:00:00.000Z",
});

describe("which units an expiry event names", () => {
    const cases: [string, string, GatewayExpiry, boolean][] = [
        [
            "the same ids",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            true,
        ],
        [
            "ids in other cases",
            UNIT,
            expiry(`/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM1`, "GW1"),
            true,
        ],
        [
            "a unit id with a trailing slash",
            `${UNIT}/`,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            true,
        ],
        [
            "another gateway",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw2"),
            false,
        ],
        [
            "another instance",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim2`, "gw1"),
            false,
        ],
        [
            "another resource group",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            false,
        ],
        [
            "another subscription",
            UNIT,
            expiry(
                `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`,
                "gw1",
            ),
            false,
        ],
        [
            "a gateway name that is a prefix",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw"),
            false,
        ],
        [
            "a malformed unit id",
            "gw1",
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            false,
        ],
    ];
    for (const [what, unit, event, expected] of cases) {
        it(`${expected ? "matches" : "does not match"} ${what}`, () => assert.equal(holdsGateway(unit, event), expected));
    }
});

describe("what the expiry events ask of the selected units (planEvents)", () => {
    const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
    const EXPIRES = "2025-07-10T12:00:00.000Z";
    const { log } = memoryLogger();

    /** A unit of `stack` on gateway gw1, judged at {@link NOW} in a rotation. */
    function judged(stack: string, output: RotationUnitOutput, force = false): JudgedUnit {
        const [entry] = parseRotationOutput({ gateway: output });
        assert.ok(!("error" in entry), JSON.stringify(entry));
        const assessment = assessUnit({ stack, unit: entry.unit, now: NOW, validity: { state: "valid" } });
        return {
            stack,
            unit: entry.unit,
            assessment,
            plan: planUnit(assessment, { mode: "rotate", force }),
            notes: [],
            log: log.forStack(stack),
        };
    }
    const gw1 = (eventTypes: GatewayExpiry["eventTypes"], instances: string[]): GatewayExpiry => ({
        serviceResourceId: SERVICE,
        gateway: "gw1",
        eventTypes,
        instances,
        expiresAt: EXPIRES,
    });
    const NEAR = "Microsoft.ApiManagement.GatewayTokenNearExpiry" as const;
    const EXPIRED = "Microsoft.ApiManagement.GatewayTokenExpired" as const;
    /** Issued an hour before NOW: inside the cooldown. */
    const recent = () => tokenUnit(25, "primary", { tokenIssuedAt: new Date(NOW.getTime() - 3_600_000).toISOString() });

    it("renews a due unit as the run would, noting both event types and the instances", () => {
        const due = judged("dev", tokenUnit(5));
        const planned = planEvents({ gateways: [gw1([NEAR, EXPIRED], ["a", "b"])], ignored: [] }, [due], NOW);
        const description = `Azure's GatewayTokenNearExpiry and GatewayTokenExpired event from 2 instance(s) (a, b), token expiry ${EXPIRES}`;
        assert.deepEqual(planned.jobs, [{ judged: due, forced: false, note: `renewed on ${description}` }]);
        assert.deepEqual([...planned.named], [unitId("dev", "gateway")]);
        assert.deepEqual([...planned.held], []);
        assert.deepEqual(planned.reports, [
            {
                eventTypes: [NEAR, EXPIRED],
                serviceResourceId: SERVICE,
                gateway: "gw1",
                instances: ["a", "b"],
                expiresAt: EXPIRES,
                result: "matched",
                stacks: ["dev/gateway"],
                message: description,
            },
        ]);
    });

    it("folds a fresh unit renewed within the cooldown into that renewal, naming it", () => {
        const fresh = judged("dev", recent());
        const planned = planEvents({ gateways: [gw1([NEAR], [])], ignored: [] }, [fresh], NOW);
        assert.deepEqual(planned.jobs, []);
        const reason = planned.held.get(unitId("dev", "gateway"));
        assert.match(reason ?? "", /^folded into the renewal issued at 2025-06-15T11:00:00\.000Z/);
        const [report] = planned.reports;
        assert.equal(report.result, "folded");
        assert.deepEqual(report.foldedInto, [{ unit: "dev/gateway", issuedAt: "2025-06-15T11:00:00.000Z" }]);
        assert.equal(report.message, `Azure's GatewayTokenNearExpiry event, token expiry ${EXPIRES}; dev/gateway ${reason}`);
    });

    it("refuses a fresh unit whose issue time is unknown or in the future: folded, with no renewal to name", () => {
        const { tokenIssuedAt: _unknown, ...unknown } = tokenUnit(25);
        const future = tokenUnit(25, "primary", { tokenIssuedAt: new Date(NOW.getTime() + 3_600_000).toISOString() });
        for (const [unit, message] of [
            [unknown, /; dev\/gateway not renewed on the event: the stack outputs do not say when its token was issued/],
            [future, /; dev\/gateway not renewed on the event: its token's issue time 2025-06-15T13:00:00\.000Z is in the future/],
        ] as const) {
            const planned = planEvents({ gateways: [gw1([NEAR], [])], ignored: [] }, [judged("dev", unit)], NOW);
            const [report] = planned.reports;
            assert.equal(report.result, "folded");
            assert.equal(report.foldedInto, undefined, "refused: folded into no renewal");
            assert.match(report.message, message);
        }
    });

    it("matches when one holder is renewed and another folded, and names a keyless holder without renewing it", () => {
        const keyless = judged("wi", { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" });
        const planned = planEvents(
            { gateways: [gw1([NEAR], ["a"])], ignored: [] },
            [judged("dev", tokenUnit(5)), judged("prod", recent()), keyless],
            NOW,
        );
        assert.deepEqual(
            planned.jobs.map((job) => job.judged.stack),
            ["dev"],
        );
        assert.deepEqual(
            [...planned.named],
            ["dev", "prod", "wi"].map((stack) => unitId(stack, "gateway")),
        );
        assert.deepEqual([...planned.held.keys()], [unitId("prod", "gateway")]);
        const [report] = planned.reports;
        assert.equal(report.result, "matched");
        assert.deepEqual(report.stacks, ["dev/gateway", "prod/gateway", "wi/gateway"]);
        assert.deepEqual(report.foldedInto, [{ unit: "prod/gateway", issuedAt: "2025-06-15T11:00:00.000Z" }]);
        assert.equal(
            planPlain(planEvents({ gateways: [gw1([NEAR], [])], ignored: [] }, [keyless], NOW)),
            "matched wi/gateway",
            "a keyless holder alone: matched, nothing held",
        );
    });

    it("reports a gateway no unit holds as not-found, and an event of another type as ignored", () => {
        const planned = planEvents(
            {
                gateways: [{ ...gw1([NEAR], []), gateway: "gw9" }],
                ignored: [{ id: "e7", eventType: "Microsoft.ApiManagement.ProductCreated" }],
            },
            [judged("dev", tokenUnit(5))],
            NOW,
        );
        assert.deepEqual([planned.jobs, [...planned.named]], [[], []]);
        assert.deepEqual(planned.reports, [
            {
                eventTypes: [NEAR],
                serviceResourceId: SERVICE,
                gateway: "gw9",
                instances: [],
                expiresAt: EXPIRES,
                result: "not-found",
                stacks: [],
                message:
                    `no selected stack holds gateway "gw9" of ${SERVICE}: select its stacks with --stack or --all, ` +
                    "or check the Event Grid subscription",
            },
            {
                eventTypes: ["Microsoft.ApiManagement.ProductCreated"],
                result: "ignored",
                stacks: [],
                message: "event e7 of type Microsoft.ApiManagement.ProductCreated ignored: not a gateway token event",
            },
        ]);
    });
});

/** A plan's one report as `result stacks`, and what it held back. */
function planPlain(planned: ReturnType<typeof planEvents>): string {
    const [report] = planned.reports;
    return [report.result, ...report.stacks, ...planned.held.values()].join(" ");
}
