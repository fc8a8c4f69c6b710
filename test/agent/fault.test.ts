// End-to-end tests of the agent as a real child process, from sources (tsx):
// the fault scenarios and the delivery contract seen from outside the process.
// test/agent/bundle-delivery.test.ts runs the same scenarios on the bundle.
import { describe } from "vitest";
import { processDeliveryScenarios } from "./helpers/delivery-scenarios";
import { faultScenarios } from "./helpers/fault-scenarios";

describe("agent under faults", () => faultScenarios());
describe("agent process delivery", () => processDeliveryScenarios());
