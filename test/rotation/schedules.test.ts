/** The ready-to-copy schedules and RBAC files parse and say what the README promises. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { requiredActions } from "../../components/token/errors";
import { parseCommandLine } from "../../rotation/options";

const dir = path.resolve(__dirname, "..", "..", "rotation", "schedules");
const read = (file: string): string => readFileSync(path.join(dir, file), "utf8");

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    task?: string;
    condition?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
}

/** The arguments after `apim-gateway-rotate` on each line of a script that runs it. */
function invocations(script: string): string[][] {
    return script
        .split("\n")
        .map((line) => /apim-gateway-rotate((?: --[a-z-]+)*)\s*$/.exec(line.trim()))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => match[1].trim().split(" ").filter(Boolean));
}

describe("rotation schedules", () => {
    it("GitHub Actions: daily cron, manual inputs, OIDC, one run at a time, rotation then a monitor", () => {
        const workflow = parse(read("github-actions-rotate-gateway-token.yml"));
        assert.match(workflow.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
        assert.deepEqual(Object.keys(workflow.on.workflow_dispatch.inputs), ["stack", "force"]);
        assert.deepEqual(workflow.permissions, { "id-token": "write", contents: "read" });
        assert.equal(workflow.concurrency["cancel-in-progress"], false);
        const steps: Step[] = workflow.jobs.rotate.steps;
        const uses = (name: string) => steps.find((step) => step.uses?.startsWith(name));
        assert.equal(uses("actions/setup-node")?.with?.["node-version"], 22);
        assert.deepEqual(Object.keys(uses("azure/login")?.with ?? {}), ["client-id", "tenant-id", "subscription-id"]);
        assert.ok(uses("azure/aks-set-context"));
        assert.ok(steps.some((step) => step.run === "npm ci"));
        assert.ok(steps.some((step) => step.run?.includes('pulumi login "$PULUMI_BACKEND_URL"')));
        const rotate = steps.find((step) => step.run?.includes("--regenerate-unused-key"));
        assert.ok(rotate?.run?.includes("args+=(--all)") && rotate.run.includes("args+=(--force)"));
        const monitor = steps[steps.length - 1];
        assert.equal(monitor.if, "always()");
        assert.deepEqual(invocations(monitor.run ?? ""), [["--all", "--check"]]);
        assert.equal(parseCommandLine(["--all", "--check"], {}).kind, "run");
        assert.equal(parseCommandLine(["--regenerate-unused-key", "--all", "--force"], {}).kind, "run");
    });

    it("Azure DevOps: scheduled, workload-identity AzureCLI tasks, rotation then a monitor", () => {
        const pipeline = parse(read("azure-pipelines-rotate-gateway-token.yml"));
        assert.equal(pipeline.trigger, "none");
        assert.match(pipeline.schedules[0].cron, /^\d+ \d+ \* \* \*$/);
        assert.equal(pipeline.schedules[0].always, true);
        const tasks: Step[] = pipeline.steps.filter((step: Step) => step.task === "AzureCLI@2");
        assert.equal(tasks.length, 2);
        for (const task of tasks) {
            assert.equal(task.inputs?.azureSubscription, "$(azureServiceConnection)");
            assert.equal(task.env?.PULUMI_CONFIG_PASSPHRASE, "$(PULUMI_CONFIG_PASSPHRASE)");
        }
        assert.match(tasks[0].inputs?.inlineScript ?? "", /apim-gateway-rotate "\$\{args\[@\]\}"/);
        assert.match(tasks[0].inputs?.inlineScript ?? "", /args=\(--regenerate-unused-key\)/);
        assert.equal(tasks[1].condition, "always()");
        assert.deepEqual(invocations(tasks[1].inputs?.inlineScript ?? ""), [["--all", "--check"]]);
        assert.ok(pipeline.steps.some((step: Step) => step.task === "UseNode@1"));
    });

    it("the custom role grants exactly the gateway actions the rotation uses, as the ARM helper names them", () => {
        const role = JSON.parse(read("apim-gateway-token-rotator.role.json"));
        assert.equal(role.IsCustom, true);
        assert.deepEqual(
            [...role.Actions].sort(),
            ["Microsoft.ApiManagement/service/gateways/read", ...Object.values(requiredActions)].sort(),
        );
        assert.deepEqual([role.NotActions, role.DataActions, role.NotDataActions], [[], [], []]);
        assert.ok(role.AssignableScopes.length > 0);
    });

    it("the Kubernetes RBAC lets the pipeline replace the Secret and roll the Deployment in one namespace", () => {
        const [roleDoc, bindingDoc] = read("kubernetes-rbac.yaml")
            .split(/^---$/m)
            .map((doc) => parse(doc));
        assert.equal(roleDoc.kind, "Role");
        assert.equal(bindingDoc.kind, "RoleBinding");
        assert.equal(bindingDoc.metadata.namespace, roleDoc.metadata.namespace);
        assert.equal(bindingDoc.roleRef.name, roleDoc.metadata.name);
        const verbs = (group: string, resource: string): string[] =>
            roleDoc.rules
                .filter((rule: { apiGroups: string[]; resources: string[] }) => rule.apiGroups.includes(group) && rule.resources.includes(resource))
                .flatMap((rule: { verbs: string[] }) => rule.verbs);
        for (const verb of ["create", "patch", "delete", "get"]) {
            assert.ok(verbs("", "secrets").includes(verb), `secrets ${verb}`);
        }
        for (const verb of ["patch", "get", "watch"]) {
            assert.ok(verbs("apps", "deployments").includes(verb), `deployments ${verb}`);
        }
        assert.ok(verbs("", "pods").includes("watch"));
        assert.ok(verbs("apps", "replicasets").includes("list"));
        assert.ok(!verbs("apps", "deployments").includes("delete"), "a rotation never deletes the Deployment");
    });
});
