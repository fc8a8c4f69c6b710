// The seeded generator lives with the demo, which ships with the CLI; benches
// and tests keep importing it from here.
export { rng } from "../../cli/demo/rng";
