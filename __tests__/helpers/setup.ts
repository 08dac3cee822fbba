// Type-only: brings the cdktf matchers' declarations into the test program (elided at runtime).
import type {} from "cdktf/lib/testing/adapters/jest";
import { Testing } from "../../src/cdktf";

// Registers the cdktf matchers (toHaveResourceWithProperties, toHaveProviderWithProperties …).
Testing.setupJest();
