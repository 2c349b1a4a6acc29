// Validates FHIR R4 resources with the npm package `fhir` (FHIR.js): one JSON resource per
// line on stdin, one JSON result per line on stdout ({valid, messages}).
const readline = require("readline");
const { Fhir } = require("fhir");

const fhir = new Fhir();
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let result;
  try {
    result = fhir.validate(JSON.parse(line), { errorOnUnexpected: true });
  } catch (error) {
    result = { valid: false, messages: [{ severity: "error", message: String(error) }] };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
});
