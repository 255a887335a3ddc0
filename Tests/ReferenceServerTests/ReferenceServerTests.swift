// Tests for `ReferenceServer` arrive with issue #3, together with the module's code.
// This file keeps the test target in the package layout until then.
@testable import ReferenceServer
