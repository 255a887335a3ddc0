// Tests for `LocalRPC` arrive with issue #6, together with the module's code.
// This file keeps the test target in the package layout until then.
@testable import LocalRPC
