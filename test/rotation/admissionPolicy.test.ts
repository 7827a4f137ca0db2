/**
 * The shape of the rotation identity's admission policy in rotation/schedules/kubernetes-rbac.yaml.
 * What it admits and refuses is proven on a real API server by test/cluster/admissionPolicy.cluster.ts
 * (every attack, every clause deleted in turn); this keeps the file's structure and the component
 * facts its CEL repeats in step with the code, without a cluster.
 */
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { ANNOTATIONS, APP_NAME, AUTH_ENV, LABEL_KEYS, SECRET_VALUE_KEY } from "../../components/constants";
import { NAME_HASH_LENGTH } from "../../components/hashing";
import { kubernetesNames } from "../../components/naming";
import { gatewayAuthValue } from "../../components/token/authValue";
import { shippedPolicy, validationsByKey } from "../cluster/harness/admissionPolicy";
import { VARIABLE_MUTANTS, policyMutants, withSentinel } from "../cluster/harness/policyMutants";
import { ROTATION_RBAC, objectOfKind, readShippedRbac } from "../cluster/harness/shippedRbac";

/** The one regular expression literal of a CEL expression (`matches('...')` or a `'...$'` suffix). */
function regexLiteral(expression: string, pattern: RegExp): string {
    const found = expression.match(pattern);
    assert.ok(found, `no regular expression in ${expression}`);
    // CEL single-quoted strings escape a backslash as in JavaScript; these literals have none.
    return found[1];
}

describe("the rotation identity's admission policy (kubernetes-rbac.yaml)", () => {
    const objects = readShippedRbac(ROTATION_RBAC);
    const policy = shippedPolicy(objects);
    const validations = validationsByKey(policy);

    it("is bound with Deny, fails closed, and matches the RoleBinding's subject alone", () => {
        assert.deepEqual(
            objects.map((object) => object.kind),
            ["Role", "RoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
        );
        const binding = objectOfKind(objects, "ValidatingAdmissionPolicyBinding");
        assert.deepEqual(binding.spec, { policyName: policy.metadata.name, validationActions: ["Deny"] });
        assert.equal(policy.spec.failurePolicy, "Fail");
        const subject = objectOfKind(objects, "RoleBinding").subjects?.[0].name;
        assert.deepEqual(policy.spec.matchConditions, [
            { name: "rotation-identity", expression: `request.userInfo.username == '${subject}'` },
        ]);
    });

    it("matches every create, update and delete of each resource the Role lets the identity write", () => {
        const rules = objectOfKind(objects, "Role").rules ?? [];
        const writable = rules.filter((rule) => rule.verbs.some((verb) => ["create", "update", "patch", "delete"].includes(verb)));
        const matched = (
            policy.spec.matchConstraints as { resourceRules: { apiGroups: string[]; resources: string[]; operations: string[] }[] }
        ).resourceRules;
        for (const rule of writable) {
            for (const resource of rule.resources) {
                const match = matched.find(
                    (candidate) => candidate.resources.includes(resource) && candidate.apiGroups.includes(rule.apiGroups[0]),
                );
                assert.ok(match, `the policy does not match ${resource}, which the Role lets the identity write`);
                assert.deepEqual([...match.operations].sort(), ["CREATE", "DELETE", "UPDATE"]);
            }
        }
        assert.equal(matched.length, writable.flatMap((rule) => rule.resources).length, "nothing else is matched");
    });

    it("names every validation by what it checks (each message unique), each denying as Forbidden", () => {
        assert.equal(Object.keys(validations).length, policy.spec.validations.length);
        assert.ok(policy.spec.validations.every((validation) => validation.reason === "Forbidden"));
    });

    it("accepts as a token Secret's value exactly the base64 of the component's `GatewayKey <token>`, for any token", () => {
        const prefix = new RegExp(regexLiteral(validations.secretValue.expression, /matches\('([^']+)'\)/));
        fc.assert(
            fc.property(fc.string({ minLength: 1, unit: "binary" }), (token) => {
                assert.match(Buffer.from(gatewayAuthValue(token), "utf8").toString("base64"), prefix);
            }),
        );
        // Near misses too: the prefix without its space, another character after it, nothing after it.
        const nearMiss = fc
            .tuple(fc.constantFrom("", "GatewayKey", "GatewayKey ", "gatewayKey "), fc.string({ unit: "binary", maxLength: 8 }))
            .map(([start, rest]) => start + rest);
        fc.assert(
            fc.property(nearMiss, (value) => {
                fc.pre(!value.startsWith("GatewayKey ") || value === "GatewayKey ");
                assert.doesNotMatch(Buffer.from(value, "utf8").toString("base64"), prefix);
            }),
            { examples: [["GatewayKey "], ["GatewayKey!token"], ["GatewayKey\ttoken"]] },
        );
    });

    it("matches the component's token Secret names, and no other name of the gateway", () => {
        const suffix = regexLiteral(validations.secretName.expression, /'(-token-[^']+\$)'/);
        assert.equal(
            suffix,
            regexLiteral(policy.spec.variables?.find((v) => v.name === "tokenSecretName")?.expression ?? "", /'(-token-[^']+\$)'/),
        );
        const names = kubernetesNames("contoso.gw");
        const pattern = new RegExp(`^contoso\\.gw${suffix}`);
        assert.match(`${names.tokenSecretPrefix}-${"0123456789abcdef".slice(0, NAME_HASH_LENGTH)}`, pattern);
        assert.doesNotMatch(`${names.tokenSecretPrefix}-${"a".repeat(NAME_HASH_LENGTH + 1)}`, pattern);
        assert.doesNotMatch(`${names.tokenSecretPrefix.replace("-token", "-secret-env")}-${"a".repeat(NAME_HASH_LENGTH)}`, pattern);
    });

    it("repeats the component's names (a rename in components/ must fail here)", () => {
        const cel = JSON.stringify(policy.spec);
        for (const fact of [
            ANNOTATIONS.tokenChecksum,
            AUTH_ENV,
            APP_NAME,
            LABEL_KEYS.instance,
            LABEL_KEYS.name,
            `key, ${SECRET_VALUE_KEY}`,
        ]) {
            assert.ok(cel.includes(fact), `the policy names ${fact}`);
        }
    });

    it("mutants: one per validation, match condition and variable guarantee, each missing exactly its clause", () => {
        const mutants = policyMutants(policy.spec);
        const validationCount = policy.spec.validations.length;
        assert.equal(mutants.length, validationCount + (policy.spec.matchConditions?.length ?? 0) + VARIABLE_MUTANTS.length);
        mutants.slice(0, validationCount).forEach((mutant, index) => {
            assert.equal(mutant.spec.validations.length, validationCount - 1);
            assert.ok(!mutant.spec.validations.includes(policy.spec.validations[index]));
        });
        assert.deepEqual(mutants[validationCount].spec.matchConditions, []);
        const sentinel = withSentinel(policy.spec, 7);
        assert.deepEqual(sentinel.validations.slice(1), policy.spec.validations);
        assert.match(sentinel.validations[0].expression, /'policy-probe-7'/);
    });
});
