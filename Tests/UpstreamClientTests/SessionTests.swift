import Foundation
import Testing
import UpstreamClient
import VolunteerAPI

/// Logging in per role against vdapi, the token kept and sent, and the ways a session ends.
@Suite("Session against vdapi")
struct SessionTests {
    @Test(
        "login per role keeps the token, and /user then answers as that user",
        arguments: [
            (TestUpstream.doctorPhone, UserRole.doctor), (TestUpstream.assistantPhone, .assistant), (TestUpstream.patientPhone, .patient),
        ])
    func loginPerRole(phone: String, role: UserRole) async throws {
        try await TestUpstream.withRunning { upstream in
            #expect(await upstream.client.session == nil)
            let profile = try await TestUpstream.login(upstream.client, phone, role)
            #expect(profile.role == role)
            let session = try #require(await upstream.client.session)
            #expect(session.role == role && session.userID == profile.id && session.token == profile.token)

            let me = await upstream.client.call(.currentUser, as: UserProfile.self)
            #expect(me.payload?.id == profile.id)
            #expect(me.payload?.role == role)
        }
    }

    @Test("a wrong password is rejected (1004, HTTP 401), not authExpired, and keeps no session")
    func wrongPassword() async throws {
        try await TestUpstream.withRunning { upstream in
            let outcome = await upstream.client.login(phone: TestUpstream.doctorPhone, password: "wrong-password", role: .doctor)
            #expect(outcome.rejection?.errorCode == 1004)
            #expect(outcome.rejection?.httpStatus == 401)
            #expect(await upstream.client.session == nil)
            // The right phone with the wrong type is a wrong account too.
            let wrongType = await upstream.client.login(phone: TestUpstream.doctorPhone, password: TestUpstream.password, role: .patient)
            #expect(wrongType.kind == .rejected)
        }
    }

    @Test("a failed login leaves the session in place")
    func failedLoginKeepsSession() async throws {
        try await TestUpstream.withRunning { upstream in
            let profile = try await TestUpstream.login(upstream.client, TestUpstream.patientPhone, .patient)
            _ = await upstream.client.login(phone: TestUpstream.patientPhone, password: "nope-nope", role: .patient)
            #expect(await upstream.client.session?.userID == profile.id)
            #expect(await upstream.client.call(.currentUser, as: UserProfile.self).isSuccess)
        }
    }

    @Test("a protected endpoint without a login is authExpired")
    func notLoggedIn() async throws {
        try await TestUpstream.withRunning { upstream in
            #expect(await upstream.client.call(.currentUser, as: UserProfile.self) == .authExpired)
            #expect(await upstream.client.callRaw(.chatDialogs).kind == .authExpired)
            // Public endpoints need none.
            #expect(await upstream.client.call(.projects, as: RecordList<Project>.self).isSuccess)
        }
    }

    @Test("eight days later the token has expired: authExpired")
    func expiry() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            #expect(await upstream.client.call(.currentUser, as: UserProfile.self).isSuccess)
            upstream.server.advanceClock(by: 8 * 24 * 3600)
            #expect(await upstream.client.call(.currentUser, as: UserProfile.self) == .authExpired)
        }
    }

    @Test("a session can be restored into another client, and forgotten")
    func restoreAndForget() async throws {
        try await TestUpstream.withRunning { upstream in
            let profile = try await TestUpstream.login(upstream.client, TestUpstream.assistantPhone, .assistant)
            let session = try #require(await upstream.client.session)
            try await upstream.withClient(configure: { _ in }) { other in
                await other.restore(session)
                #expect(await other.call(.currentUser, as: UserProfile.self).payload?.id == profile.id)
                await other.forgetSession()
                #expect(await other.session == nil)
                #expect(await other.call(.currentUser, as: UserProfile.self) == .authExpired)
            }
        }
    }

    @Test("logs name the call and its outcome, never the phone, password or token")
    func quietLogs() async throws {
        try await TestUpstream.withRunning { upstream in
            _ = await upstream.client.login(phone: TestUpstream.doctorPhone, password: "wrong-password", role: .doctor)
            let profile = try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            _ = await upstream.client.call(.currentUser, as: UserProfile.self)
            let token = try #require(profile.token)
            let logs = upstream.logs.all
            #expect(logs.count == 3)
            #expect(logs.contains { $0.contains("method=POST") && $0.contains("path=/login") && $0.contains("outcome=rejected") && $0.contains("status=401") })
            #expect(logs.contains { $0.contains("path=/user") && $0.contains("outcome=applied") && $0.contains("duration_ms=") })
            for line in logs {
                #expect(!line.contains(TestUpstream.doctorPhone))
                #expect(!line.contains("wrong-password") && !line.contains(TestUpstream.password))
                #expect(!line.contains(token))
            }
        }
    }
}
