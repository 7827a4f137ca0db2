/** Neutralising GitHub Actions workflow commands and Azure Pipelines logging commands (rotation/report/ciCommands.ts). */
import { strict as assert } from "node:assert";
import { neutraliseCiCommands } from "../../../rotation/report/ciCommands";
import { holdsCiCommand } from "../fakes";

describe("CI command neutralisation", () => {
    const commands = [
        "::add-mask::c2VjcmV0",
        "::stop-commands::resume-token",
        "::set-output name=x::y",
        "::warning file=app.js,line=1::careful",
        "  ::debug::indented",
        "\t::error::tabbed",
        "##vso[task.setvariable variable=AZURE_CLIENT_SECRET]x",
        "##vso[artifact.upload artifactname=state]/home/runner/.pulumi",
        "warning: container said ##vso[task.prependpath]/tmp/evil",
        "##[section]Starting",
        "##VsO[task.complete result=Succeeded]",
        "prefix\r::add-mask::carriage-return",
        "first line\n::stop-commands::x\n##vso[x]",
    ];
    for (const text of commands) {
        it(`breaks ${JSON.stringify(text)}; the text stays readable and a second pass changes nothing`, () => {
            assert.ok(holdsCiCommand(text), "the case must be a command before");
            const safe = neutraliseCiCommands(text);
            assert.equal(holdsCiCommand(safe), false, JSON.stringify(safe));
            assert.equal(safe.replace(/\u200B/g, ""), text, "only invisible characters are added");
            assert.equal(neutraliseCiCommands(safe), safe);
        });
    }

    for (const text of ["a::b", "urn:pulumi:dev::apim-gateway::kubernetes:apps/v1:Deployment::gw", "# comment", "#vso[", "plain"]) {
        it(`leaves ${JSON.stringify(text)} as it is`, () => assert.equal(neutraliseCiCommands(text), text));
    }
});
