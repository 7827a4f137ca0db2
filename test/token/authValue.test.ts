import { strict as assert } from "node:assert";
import { authValueDigest, gatewayAuthValue, rawGatewayToken } from "../../components/token/authValue";

describe("the gateway's auth value", () => {
    it("wraps a raw token as `GatewayKey <token>`, and rawGatewayToken undoes exactly that", () => {
        const table: [string, string][] = [
            ["gw1&202601010000&abc==", "GatewayKey gw1&202601010000&abc=="],
            ["", "GatewayKey "],
        ];
        for (const [raw, auth] of table) {
            assert.equal(gatewayAuthValue(raw), auth);
            assert.equal(rawGatewayToken(auth), raw);
        }
    });

    it("leaves a value without the prefix as it is (only a leading prefix is removed)", () => {
        assert.equal(rawGatewayToken("gw1&x"), "gw1&x");
        assert.equal(rawGatewayToken("x GatewayKey y"), "x GatewayKey y");
    });

    it("digests the whole auth value as SHA-256 in hex (the contract's tokenChecksum)", () => {
        // sha256sum of the bytes `GatewayKey gw1&202601010000&abc==`, computed outside this code.
        assert.equal(
            authValueDigest("GatewayKey gw1&202601010000&abc=="),
            "f5c923a3aad6c936f2d444180d77aed3a588560c1941b5f8e431e0165c9be200",
        );
    });
});
