import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { regenerateGatewayKey } from "../../components/token/arm";
import { ArmOperationError } from "../../components/token/errors";
import { gatewayTokenProvider } from "../../components/token/provider";
import type { GatewayTokenInputs, GatewayTokenState } from "../../components/token/renewal";
import { AzureEmulators } from "../../localenv/azure";
import { useAzureEmulators } from "../emulator/suite";

const dayMs = 86_400_000;
const minuteMs = 60_000;
const provider = gatewayTokenProvider as Required<pulumi.dynamic.ResourceProvider>;

/** The expiry a token carries (`<gw>&<yyyyMMddHHmm>&<sig>`), as an ISO string. */
function tokenExpiry(token: string): string {
    const [, minute] = /&(\d{12})&/.exec(token) ?? [];
    return `${minute.slice(0, 4)}-${minute.slice(4, 6)}-${minute.slice(6, 8)}T${minute.slice(8, 10)}:${minute.slice(10, 12)}:00.000Z`;
}

describe("GatewayToken provider against the ARM and Entra emulators", () => {
    let emu: AzureEmulators;

    useAzureEmulators((started) => (emu = started));

    /** Inputs as the engine passes them after `check`. */
    async function checked(raw: Record<string, unknown> = {}): Promise<GatewayTokenInputs> {
        const result = await provider.check({}, { gatewayResourceId: emu.gatewayResourceId, azureCloud: emu.azureCloud, ...raw });
        assert.deepEqual(result.failures, []);
        return result.inputs as GatewayTokenInputs;
    }

    async function create(raw: Record<string, unknown> = {}): Promise<GatewayTokenState> {
        return (await provider.create(await checked(raw))).outs as GatewayTokenState;
    }

    /** A stored state whose token expires `days` from now. */
    function stateExpiringIn(state: GatewayTokenState, days: number): GatewayTokenState {
        return { ...state, expiresAt: new Date(Date.now() + days * dayMs).toISOString() };
    }

    describe("check", () => {
        it("applies the defaults", async () => {
            const inputs = await checked();
            assert.equal(inputs.validityDays, 30);
            assert.equal(inputs.renewBeforeDays, 10);
        });

        it("reports bad inputs by name", async () => {
            const result = await provider.check({}, { gatewayResourceId: "gw1", validityDays: 45 });
            assert.deepEqual(
                result.failures?.map((f) => f.property),
                ["gatewayResourceId", "validityDays"],
            );
        });
    });

    describe("create", () => {
        it("issues a primary-key token with its expiry, issue time and renewal time", async () => {
            const started = Date.now();
            const { id, outs } = await provider.create(await checked({ renewalTrigger: "first" }));
            const state = outs as GatewayTokenState;

            assert.equal(id, `${emu.gatewayResourceId}/accessToken`);
            assert.match(state.token, /^GatewayKey gw1&\d{12}&/);
            const raw = state.token.slice("GatewayKey ".length);
            assert.equal(state.keyType, "primary");
            assert.equal(emu.arm.signingKeyType(raw), "primary");
            assert.ok(emu.arm.isTokenValid(raw));
            assert.equal(state.expiresAt, tokenExpiry(raw), "expiresAt is the expiry the token carries");
            const issuedAt = Date.parse(state.issuedAt);
            assert.ok(issuedAt >= started && issuedAt <= Date.now());
            assert.ok(Date.parse(state.expiresAt) > issuedAt + 30 * dayMs - 6 * minuteMs);
            assert.equal(Date.parse(state.renewAfter), Date.parse(state.expiresAt) - 10 * dayMs);
            assert.deepEqual(
                {
                    gatewayResourceId: state.gatewayResourceId,
                    validityDays: state.validityDays,
                    renewBeforeDays: state.renewBeforeDays,
                    renewalTrigger: state.renewalTrigger,
                    azureCloud: state.azureCloud,
                },
                {
                    gatewayResourceId: emu.gatewayResourceId,
                    validityDays: 30,
                    renewBeforeDays: 10,
                    renewalTrigger: "first",
                    azureCloud: emu.azureCloud,
                },
            );
            assert.equal(emu.requests.arm("/generateToken").length, 1);
        });

        it("keeps the expiry within 30 days of a service clock 4 minutes behind ours", async () => {
            emu.clock.setOffset(-4 * minuteMs);
            const state = await create({ validityDays: 30 });
            const request = emu.arm.tokenRequests.at(-1)!;
            const ahead = Date.parse(String(request.expiry)) - request.receivedAt.getTime();
            assert.ok(ahead <= 30 * dayMs, `expiry sent ${ahead - 30 * dayMs} ms beyond 30 days of the service's clock`);
            assert.equal(String(request.expiry), state.expiresAt);
        });

        it("is refused by a service clock further behind than the margin (the margin is what absorbs skew)", async () => {
            emu.clock.setOffset(-7 * minuteMs);
            await assert.rejects(
                create({ validityDays: 30 }),
                (error: unknown) => error instanceof ArmOperationError && error.statusCode === 400,
            );
        });

        it("surfaces ARM failures as ArmOperationError", async () => {
            const gateway = emu.arm.addGateway({
                subscriptionId: emu.subscriptionId,
                resourceGroupName: "rg1",
                serviceName: "apimService1",
                gatewayId: "gw-locked",
            });
            emu.arm.denyAccess(gateway);
            await assert.rejects(
                create({ gatewayResourceId: gateway }),
                (error: unknown) =>
                    error instanceof ArmOperationError && error.statusCode === 403 && /generateToken\/action/.test(error.message),
            );
        });
    });

    describe("diff", () => {
        let fresh: GatewayTokenState;
        let inputs: GatewayTokenInputs;

        before(async () => {
            inputs = await checked({ renewalTrigger: "t1" });
            fresh = (await provider.create(inputs)).outs as GatewayTokenState;
        });

        beforeEach(() => emu.requests.clear());

        afterEach(() => assert.deepEqual(emu.requests.entries, [], "diff must not call ARM or Entra"));

        it("reports no change for a fresh token", async () => {
            assert.deepEqual(await provider.diff("id", fresh, inputs), { changes: false });
        });

        it("reports a change inside the renewal window", async () => {
            assert.equal((await provider.diff("id", stateExpiringIn(fresh, 9), inputs)).changes, true);
            assert.equal((await provider.diff("id", stateExpiringIn(fresh, 11), inputs)).changes, false);
        });

        it("reports a change once expired", async () => {
            assert.equal((await provider.diff("id", stateExpiringIn(fresh, -1), inputs)).changes, true);
        });

        it("reports a change for a new renewalTrigger, and none for the same or a removed one", async () => {
            assert.equal((await provider.diff("id", fresh, { ...inputs, renewalTrigger: "t2" })).changes, true);
            assert.equal((await provider.diff("id", fresh, { ...inputs, renewalTrigger: "t1" })).changes, false);
            assert.equal((await provider.diff("id", fresh, { ...inputs, renewalTrigger: undefined })).changes, false);
        });

        it("does not renew a fresh token when only validityDays changes", async () => {
            assert.equal((await provider.diff("id", fresh, { ...inputs, validityDays: 7 })).changes, false);
        });

        it("reports a change for a new renewBeforeDays, so the stored renewAfter follows it", async () => {
            assert.equal((await provider.diff("id", fresh, { ...inputs, renewBeforeDays: 2 })).changes, true);
        });

        it("renews when a larger renewBeforeDays puts the token inside the window", async () => {
            assert.equal((await provider.diff("id", stateExpiringIn(fresh, 15), { ...inputs, renewBeforeDays: 20 })).changes, true);
        });

        it("replaces the token for another gateway, but not for a differently cased id", async () => {
            const other = emu.gatewayResourceId.replace("/gateways/gw1", "/gateways/gw2");
            assert.deepEqual(await provider.diff("id", fresh, { ...inputs, gatewayResourceId: other }), {
                changes: true,
                replaces: ["gatewayResourceId"],
                deleteBeforeReplace: false,
            });
            assert.equal(
                (await provider.diff("id", fresh, { ...inputs, gatewayResourceId: emu.gatewayResourceId.toLowerCase() })).changes,
                false,
            );
        });
    });

    describe("update", () => {
        it("alternates the signing key over several renewals", async () => {
            const inputs = await checked();
            let state = (await provider.create(inputs)).outs as GatewayTokenState;
            const keyTypes = [state.keyType];
            for (const trigger of ["r1", "r2", "r3"]) {
                const next = (await provider.update("id", state, { ...inputs, renewalTrigger: trigger })).outs as GatewayTokenState;
                const raw = next.token.slice("GatewayKey ".length);
                assert.equal(emu.arm.signingKeyType(raw), next.keyType, "the token is signed with the key its keyType names");
                assert.equal(next.renewalTrigger, trigger, "the applied trigger is stored for the next diff");
                assert.notEqual(next.token, state.token);
                keyTypes.push(next.keyType);
                state = next;
            }
            assert.deepEqual(keyTypes, ["primary", "secondary", "primary", "secondary"]);
            assert.deepEqual(
                emu.arm.tokenRequests.slice(-4).map((r) => r.keyType),
                keyTypes,
            );
        });

        it("lets the previous token's key be regenerated without touching the live token", async () => {
            const inputs = await checked();
            const first = (await provider.create(inputs)).outs as GatewayTokenState;
            const renewed = (await provider.update("id", first, { ...inputs, renewalTrigger: "renew" })).outs as GatewayTokenState;

            await regenerateGatewayKey(emu.gatewayResourceId, first.keyType, emu.azureCloud);

            assert.equal(emu.arm.isTokenValid(renewed.token.slice("GatewayKey ".length)), true, "live token still valid");
            assert.equal(emu.arm.isTokenValid(first.token.slice("GatewayKey ".length)), false, "previous token revoked");
        });

        it("applies a changed validityDays at the renewal", async () => {
            const inputs = await checked();
            const first = (await provider.create(inputs)).outs as GatewayTokenState;
            const renewed = (
                await provider.update("id", first, { ...inputs, validityDays: 7, renewBeforeDays: 2, renewalTrigger: "renew" })
            ).outs as GatewayTokenState;
            const lifetime = Date.parse(renewed.expiresAt) - Date.parse(renewed.issuedAt);
            assert.ok(lifetime <= 7 * dayMs - 5 * minuteMs && lifetime > 7 * dayMs - 6 * minuteMs, `lifetime ${lifetime} ms`);
            assert.equal(Date.parse(renewed.renewAfter), Date.parse(renewed.expiresAt) - 2 * dayMs);
        });

        it("moves renewAfter to a new renewBeforeDays without calling ARM while the token is fresh", async () => {
            const inputs = await checked();
            const first = (await provider.create(inputs)).outs as GatewayTokenState;
            emu.requests.clear();
            const moved = (await provider.update("id", first, { ...inputs, renewBeforeDays: 2 })).outs as GatewayTokenState;
            assert.deepEqual(emu.requests.entries, [], "no ARM or Entra call");
            assert.equal(moved.token, first.token);
            assert.equal(moved.keyType, first.keyType);
            assert.equal(moved.renewBeforeDays, 2);
            assert.equal(Date.parse(moved.renewAfter), Date.parse(first.expiresAt) - 2 * dayMs);
        });
    });

    describe("read and delete", () => {
        it("read returns the stored state unchanged without calling ARM", async () => {
            const state = await create();
            emu.requests.clear();
            assert.deepEqual(await provider.read("the-id", state), { id: "the-id", props: state });
            assert.deepEqual(emu.requests.entries, []);
        });

        it("delete calls nothing and leaves the token valid (only regenerating its key revokes it)", async () => {
            const state = await create();
            emu.requests.clear();
            await provider.delete("the-id", state);
            assert.deepEqual(emu.requests.entries, []);
            assert.ok(emu.arm.isTokenValid(state.token.slice("GatewayKey ".length)));
        });
    });
});
