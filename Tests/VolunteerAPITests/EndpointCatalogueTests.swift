import Foundation
import Testing

@testable import VolunteerAPI

/// One row of the endpoint table of ENDPOINTS.md.
private struct TableRow: Sendable, CustomStringConvertible {
    let section: String
    let method: HTTPMethod
    let path: String
    let params: String
    let returns: String
    let kind: String
    let roles: String

    /// `GET /project/{id}`, the same spelling as ``Endpoint/description``.
    var key: String { "\(method.rawValue) \(path)" }
    var description: String { key }

    /// The kind column's first word (`write (blob upload)` is `write`).
    var kindValue: Endpoint.Kind? {
        kind.split(separator: " ").first.flatMap { Endpoint.Kind(rawValue: String($0)) }
    }

    /// The role column: `*` for all three, else letters P, D, A separated by spaces.
    var roleValues: Set<UserRole>? {
        if roles == "*" { return Set(UserRole.allCases) }
        var result: Set<UserRole> = []
        for letter in roles.split(separator: " ") {
            switch letter {
            case "P": result.insert(.patient)
            case "D": result.insert(.doctor)
            case "A": result.insert(.assistant)
            default: return nil
            }
        }
        return result.isEmpty ? nil : result
    }
}

/// The endpoint table, read from the test bundle's copy of ENDPOINTS.md.
private enum EndpointTable {
    static func fixtureURL() throws -> URL {
        if let url = Bundle.module.url(forResource: "ENDPOINTS", withExtension: "md", subdirectory: "Fixtures/spec") {
            return url
        }
        let resources = try #require(Bundle.module.resourceURL, "the test bundle has no resources")
        return resources.appendingPathComponent("Fixtures/spec/ENDPOINTS.md")
    }

    /// The rows whose second cell is an HTTP method, in the table's order.
    static func rows() throws -> [TableRow] {
        let text = try String(contentsOf: fixtureURL(), encoding: .utf8)
        var rows: [TableRow] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            // "| a | b |" splits into ["", "a", "b", ""].
            guard cells.count >= 3, let method = HTTPMethod(rawValue: cells[2]) else { continue }
            try #require(cells.count == 9, "row \(line) should have 7 cells")
            rows.append(
                TableRow(
                    section: cells[1], method: method, path: cells[3], params: cells[4],
                    returns: cells[5], kind: cells[6], roles: cells[7]
                ))
        }
        return rows
    }

    /// The package root: three levels above this file (Tests/VolunteerAPITests/<file>).
    static func packageRoot(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

private func endpoint(_ method: HTTPMethod, _ path: String) throws -> Endpoint {
    try #require(Endpoint.all.first { $0.method == method && $0.path.template == path }, "no \(method.rawValue) \(path)")
}

private func parameter(_ name: String, of endpoint: Endpoint) throws -> Parameter {
    try #require(endpoint.parameters.first { $0.name == name }, "\(endpoint) has no parameter \(name)")
}

@Suite("Endpoint catalogue against ENDPOINTS.md")
struct EndpointCatalogueTests {
    // MARK: - The table itself

    @Test("the catalogue holds exactly the table's method+path pairs, in order, without duplicates")
    func catalogueMatchesTable() throws {
        let rows = try EndpointTable.rows()
        let tableKeys = rows.map(\.key)
        let catalogueKeys = Endpoint.all.map(\.description)

        #expect(!rows.isEmpty, "no endpoint rows parsed from the fixture")
        #expect(Set(tableKeys).count == tableKeys.count, "the table repeats a method+path")
        #expect(Set(catalogueKeys).count == catalogueKeys.count, "the catalogue repeats a method+path")
        #expect(Set(Endpoint.all).count == Endpoint.all.count, "the catalogue repeats an endpoint")

        let missing = Set(tableKeys).subtracting(catalogueKeys)
        let extra = Set(catalogueKeys).subtracting(tableKeys)
        #expect(missing.isEmpty, "missing from the catalogue: \(missing.sorted())")
        #expect(extra.isEmpty, "not in the table: \(extra.sorted())")
        #expect(catalogueKeys == tableKeys, "Endpoint.all is not in the table's order")
        #expect(Endpoint.all.count == rows.count)
    }

    @Test("the fixture is a byte-for-byte copy of ../shared/spec/ENDPOINTS.md")
    func fixtureIsCopyOfSharedSpec() throws {
        let shared = EndpointTable.packageRoot()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/spec/ENDPOINTS.md")
        guard FileManager.default.fileExists(atPath: shared.path) else {
            Issue.record(
                "\(shared.path) does not exist here; the fixture's copy cannot be compared",
                severity: .warning
            )
            return
        }
        let original = try Data(contentsOf: shared)
        let copy = try Data(contentsOf: EndpointTable.fixtureURL())
        #expect(!original.isEmpty)
        #expect(copy == original, "Fixtures/spec/ENDPOINTS.md has drifted from \(shared.path); copy it again")
    }

    @Test("each entry's section, kind and roles equal the table's columns")
    func sectionKindAndRoles() throws {
        let rows = try EndpointTable.rows()
        for row in rows {
            let entry = try endpoint(row.method, row.path)
            let kind = try #require(row.kindValue, "unknown kind '\(row.kind)' for \(row)")
            let roles = try #require(row.roleValues, "unknown roles '\(row.roles)' for \(row)")
            #expect(entry.section == row.section, "section of \(row)")
            #expect(entry.kind == kind, "kind of \(row)")
            #expect(entry.roles == roles, "roles of \(row)")
        }
    }

    // MARK: - Parameters

    @Test("path placeholders and .path parameters correspond one to one")
    func pathParametersMatchPlaceholders() {
        for entry in Endpoint.all {
            let placeholders = entry.path.parameterNames
            let pathParameters = entry.parameters(in: .path).map(\.name)
            #expect(Set(placeholders).count == placeholders.count, "\(entry) repeats a placeholder")
            for name in placeholders {
                #expect(pathParameters.filter { $0 == name }.count == 1, "\(entry) needs one .path parameter '\(name)'")
            }
            for name in pathParameters {
                #expect(placeholders.contains(name), "\(entry) has .path parameter '\(name)' without a placeholder")
            }
            for parameter in entry.parameters(in: .path) {
                #expect(parameter.isRequired, "\(entry): path parameter '\(parameter.name)' must be required")
            }
        }
    }

    @Test("parameter names are unique per endpoint and travel where the method puts them")
    func parameterNamesAndLocations() {
        for entry in Endpoint.all {
            let names = entry.parameters.map(\.name)
            #expect(Set(names).count == names.count, "\(entry) repeats a parameter name: \(names)")
            for parameter in entry.parameters where parameter.location != .path {
                switch entry.method {
                case .get, .delete:
                    #expect(parameter.location == .query, "\(entry): '\(parameter.name)' should be a query parameter")
                case .post, .put:
                    if parameter.location == .file {
                        #expect(entry == .imageUpload, "\(entry): only /imgupload takes a file")
                    } else {
                        #expect(parameter.location == .body, "\(entry): '\(parameter.name)' should be a body parameter")
                    }
                }
            }
            if entry.method == .get || entry.method == .delete {
                #expect(entry.parameters(in: .body).isEmpty, "\(entry) is \(entry.method.rawValue) but has body parameters")
            }
        }
        #expect(Endpoint.imageUpload.parameters(in: .file).map(\.name) == ["file"])
    }

    @Test("endpoints paged in the table take both paging parameters, and only they")
    func pagingParameters() throws {
        for row in try EndpointTable.rows() {
            let entry = try endpoint(row.method, row.path)
            let paged = row.params.contains("paging")
            let names = Set(entry.parameters(in: .query).map(\.name))
            if paged {
                #expect(names.isSuperset(of: ["current_page", "page_size"]), "\(row) is paged")
                #expect(entry.isPaged)
            } else {
                #expect(names.isDisjoint(with: ["current_page", "page_size"]), "\(row) is not paged")
                #expect(!entry.isPaged)
            }
        }
    }

    @Test("responses with a page in the table are .page shapes, and no others")
    func pagedResponses() throws {
        for row in try EndpointTable.rows() {
            let entry = try endpoint(row.method, row.path)
            let isPageShape: Bool
            if case .page = entry.response { isPageShape = true } else { isPageShape = false }
            #expect(isPageShape == row.returns.hasSuffix(", page}"), "\(row): response \(entry.response) vs '\(row.returns)'")
        }
    }

    // MARK: - Spot checks

    @Test("the document's typos and required marks are kept")
    func typosAndRequiredFlags() throws {
        for path in ["/login", "/register", "/reset/pwd"] {
            let entry = try endpoint(.post, path)
            for name in ["phono", "pwd", "type"] {
                let field = try parameter(name, of: entry)
                #expect(field.isRequired, "\(entry): \(name) is 【必填】")
                #expect(field.location == .body)
            }
            #expect(!entry.parameters.contains { $0.name == "phone" }, "\(entry) spells the phone 'phono'")
        }
        #expect(Endpoint.login.parameters.map(\.name) == ["phono", "pwd", "type"])
        #expect(try parameter("type", of: .login).type == .integer)

        let byPhone = try endpoint(.post, "/login/phone")
        #expect(byPhone == .loginByPhone)
        #expect(byPhone.parameters.map(\.name) == ["photo", "verify_code"])
        #expect(byPhone.parameters.allSatisfy { $0.isRequired })
        #expect(try parameter("photo", of: byPhone).type == .string, "`photo` is the phone number here, not a list")

        let paitient = try endpoint(.get, "/assistant/project/{id}/paitient")
        #expect(paitient == .assistantProjectPatients)
        #expect(!Endpoint.all.contains { $0.path.template == "/assistant/project/{id}/patient" })
        #expect(Endpoint.joinOrganisation.path.template == "/org_add/{org_id}")

        #expect(try parameter("plan_time", of: .joinProjectOnBehalf).isRequired)
        #expect(try parameter("user_id", of: .joinProjectOnBehalf).isRequired)
        #expect(try !parameter("plan_time", of: .projectJoin).isRequired)
        #expect(try parameter("content", of: .projectJoin).isRequired)
        #expect(try parameter("photo", of: .projectJoin) == Parameter("photo", .body, .array(.string), required: false, "case photo URLs, at most 3"))
        #expect(try parameter("photo", of: .sendChatMessage).isRequired)
        #expect(try !parameter("diag_photo", of: .recordDiagnosisResult).isRequired)
        #expect(try parameter("service_target", of: .publishProject).type == .array(.string))
        #expect(try parameter("pwd", of: .createPatient).isRequired)
        #expect(try parameter("height", of: .createPatient).isRequired)
    }

    @Test("PUT /user takes each role's profile fields")
    func completeProfileFieldsByRole() throws {
        let entry = try endpoint(.put, "/user")
        #expect(entry == .completeProfile)
        #expect(try parameter("height", of: entry).roles == [.patient])
        #expect(try parameter("smoking_status", of: entry).roles == [.patient])
        #expect(try parameter("team_name", of: entry).roles == [.assistant])
        #expect(try parameter("team_name", of: entry).isRequired)
        #expect(try parameter("work_photo", of: entry).roles == [.doctor])
        #expect(try parameter("work_photo", of: entry).type == .array(.string))
        #expect(try parameter("work_time", of: entry).type == .jsonString)
        #expect(try parameter("hospital_id", of: entry).roles == [.doctor])
        for shared in ["real_name", "idno", "avatars", "email", "province_id", "city_id", "county_id", "addr"] {
            #expect(try parameter(shared, of: entry).roles == Set(UserRole.allCases), "\(shared) belongs to every role")
        }
        #expect(try parameter("real_name", of: entry).isRequired)
        #expect(try !parameter("email", of: entry).isRequired)
        #expect(entry.response == .userByType)
        #expect(entry.parameters.allSatisfy { $0.location == .body })
    }

    @Test("response shapes of the irregular endpoints")
    func irregularResponses() {
        #expect(Endpoint.captcha.response == .image)
        #expect(Endpoint.imageUpload.response == .record(.fileURL))
        #expect(Endpoint.weixinMedia.response == .record(.fileURL))
        #expect(Endpoint.loginByPhone.response == .userByTypeWithIsNew)
        #expect(Endpoint.joinOrganisation.response == .null)
        #expect(Endpoint.leaveOrganisation.response == .null)
        #expect(Endpoint.patientDiagnosisRecords.response == .bareArray(.diagnosisRecord))
        #expect(Endpoint.orderQuery.response == .optionalRecord(.diagnosis))
        #expect(Endpoint.myOrganisations.response == .page(.orgMembership))
        #expect(Endpoint.organisations.response == .page(.organisation))
        #expect(Endpoint.chatMessages.response == .list(.chatMessage))
        #expect(Endpoint.sendChatMessage.response == .list(.chatMessage))
        #expect(Endpoint.patientHomepage.response == .record(.patientHomepage))
        #expect(Endpoint.assistantHomepage.response == .record(.assistantHomepage))
        #expect(Endpoint.doctorIndex.response == .record(.doctorIndex))
    }

    // MARK: - Routing

    @Test("route resolves concrete paths to the documented endpoint and its values")
    func routing() throws {
        let project = try #require(Endpoint.route(.get, "/project/12"))
        #expect(project.0 == .project)
        #expect(project.1 == ["id": "12"])

        let projects = try #require(Endpoint.route(.get, "/project"))
        #expect(projects.0 == .projects)
        #expect(projects.1.isEmpty)

        let doctors = try #require(Endpoint.route(.get, "/doctor/list"))
        #expect(doctors.0 == .doctors)
        #expect(doctors.0 != .doctorCommentsById)

        let doctorPatients = try #require(Endpoint.route(.get, "/doctor/project/patient"))
        #expect(doctorPatients.0 == .doctorProjectPatients)

        let news = try #require(Endpoint.route(.get, "/news/2/list"))
        #expect(news.0 == .newsList)
        #expect(news.1 == ["type": "2"])

        let join = try #require(Endpoint.route(.post, "/project/7/join"))
        #expect(join.0 == .projectJoin)
        #expect(join.1 == ["id": "7"])

        #expect(Endpoint.route(.get, "/nope") == nil)
        #expect(Endpoint.route(.delete, "/project/7") == nil)
    }

    @Test("every endpoint's own rendered path routes back to it")
    func everyEndpointRoutesToItself() throws {
        for entry in Endpoint.all {
            let values = Dictionary(uniqueKeysWithValues: entry.path.parameterNames.map { ($0, "7") })
            let concrete = try entry.path.render(values)
            let routed = try #require(Endpoint.route(entry.method, concrete), "\(entry) does not route")
            #expect(routed.0 == entry, "\(entry.method.rawValue) \(concrete) routes to \(routed.0)")
            #expect(routed.1 == values)
        }
    }

    // MARK: - Rendering

    @Test("PathTemplate.render fills, encodes and checks placeholders")
    func rendering() throws {
        let template = Endpoint.doctorProjectsForPatient.path
        #expect(template.template == "/custom/doctor/{id}/project")
        #expect(try template.render(["id": "5"]) == "/custom/doctor/5/project")

        let encoded = try template.render(["id": "a b/c"])
        #expect(encoded == "/custom/doctor/a%20b%2Fc/project")
        #expect(template.match(encoded) == ["id": "a b/c"])

        #expect(throws: PathTemplateError.missingValue("id")) {
            try template.render([:])
        }
        #expect(throws: PathTemplateError.missingValue("org_id")) {
            try Endpoint.joinOrganisation.path.render(["id": "3"])
        }
    }
}
