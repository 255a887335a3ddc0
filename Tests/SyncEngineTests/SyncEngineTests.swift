// Tests for `SyncEngine` arrive with issue #4, together with the module's code.
// This file keeps the test target in the package layout until then.
@testable import SyncEngine
