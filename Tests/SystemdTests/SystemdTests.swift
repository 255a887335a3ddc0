// Tests for `Systemd` arrive with issue #7, together with the module's code.
// This file keeps the test target in the package layout until then.
@testable import Systemd
