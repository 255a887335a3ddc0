import Foundation
import GRDB
import HummingbirdBcrypt
import VolunteerAPI

/// The `scale:N` world: N projects and everything around them, for benchmarks and for the
/// sync agent's large-mirror tests.
///
/// About 20 doctors per 100 projects, three patients per project (each booking several
/// projects), about ten bookings per project with their casebooks, two system messages per
/// patient, a chat dialog for every other patient, and a few hospitals, organisations, news
/// and banners. Dates run from 60 days ago to 30 days ahead of the server's today.
///
/// The same N and seed number build the same rows on the same day: every choice comes from a
/// SplitMix64 stream, every time from today's date (never the time of day), and ids are
/// assigned in order. Only the password hash differs, as bcrypt salts each hash. It is built
/// with prepared statements in one transaction, with one bcrypt hash for every account.
/// Derived fields follow the server's rules as `DemoSeed`'s do through `Booking`: `sn`,
/// `amount`, `visit_time`, slots as `POST /project` cuts them, refunds, cancellations.
struct ScaleSeed {
    let projects: Int
    let seed: UInt64
    let configuration: ReferenceServerConfiguration

    /// The password of every scale account.
    static let password = "scale123"
    /// Order serials (`sn`) hold six digits of the diagnosis id; staying under a million
    /// diagnoses keeps them unique.
    static let maximumProjects = 50_000

    /// The phone of the `index`th (from 0) account of `role`: 137… doctors, 136… assistants,
    /// 139… patients, so the accounts of a scale world never look like the demo's 1380000….
    static func phone(_ role: UserRole, _ index: Int) -> String {
        let prefix =
            switch role {
            case .doctor: "137"
            case .assistant: "136"
            case .patient: "139"
            }
        return prefix + SeedSupport.padded(index + 1, 8)
    }

    func run(_ database: ReferenceDatabase) async throws -> String {
        guard (1...Self.maximumProjects).contains(projects) else {
            throw SeedSupport.Failure(description: "seed: scale:N takes 1 to \(Self.maximumProjects) projects")
        }
        let started = ContinuousClock.now
        let now = configuration.clock()
        // One hash for every account: bcrypt is slow on purpose.
        let hash = Bcrypt.hash(Self.password, cost: configuration.bcryptCost)
        let shape = ScaleShape(projects: projects)
        let seed = self.seed
        let counts = try await database.write { db in
            try SeedSupport.requireEmpty(db)
            // The indexes take rows in random order: a page cache that holds them (up to 256 MB
            // here, instead of SQLite's 2 MB) keeps a large world from thrashing the disk.
            let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cache)") }
            var world = ScaleWorld(db: db, shape: shape, seed: seed, now: now, passwordHash: hash)
            try world.build()
            return try SeedSupport.counts(db)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let base = SeedSupport.baseURL(configuration)
        return [
            "vdapi scale world: \(projects) projects, seed number \(seed), as of \(APIClock.date(now)); built in \(String(format: "%.2f", seconds)) s",
            "  " + SeedSupport.describe(counts),
            "",
            "One account per role (password \(Self.password) for all; every account of a role is numbered alike):",
            "  doctor     type 2  \(Self.phone(.doctor, 0))  (doctors \(Self.phone(.doctor, 0))…\(Self.phone(.doctor, shape.doctors - 1)))",
            "  assistant  type 3  \(Self.phone(.assistant, 0))  (assistants \(Self.phone(.assistant, 0))…\(Self.phone(.assistant, shape.assistants - 1)))",
            "  patient    type 1  \(Self.phone(.patient, 0))  (patients \(Self.phone(.patient, 0))…\(Self.phone(.patient, shape.patients - 1)))",
            "",
            "Log in as the first doctor, then list the doctor's projects with the token of the answer (data.token):",
            #"  curl -s -X POST \#(base)/login -H 'Content-Type: application/json' -d '{"phono":"\#(Self.phone(.doctor, 0))","pwd":"\#(Self.password)","type":2}'"#,
            "  curl -s \(base)/doctor/project -H 'X-auth-token: <token from the login answer>'",
        ].joined(separator: "\n")
    }
}

/// How many of each thing a scale world of `projects` projects holds.
struct ScaleShape: Sendable, Hashable {
    let projects: Int

    var doctors: Int { max(1, (projects + 4) / 5) }
    var patients: Int { projects * 3 }
    var assistants: Int { max(1, projects / 100) }
    var hospitals: Int { min(40, max(8, doctors / 10)) }
    /// Patients each assistant looks after (the first ones of the list, ten each).
    static let patientsPerAssistant = 10
}

/// The deterministic choices of a scale world: SplitMix64 with plain modulo ranges, so the
/// stream does not depend on the standard library's sampling algorithms.
private struct SeededRandom {
    var generator: SplitMix64

    mutating func below(_ bound: Int) -> Int {
        Int(generator.next() % UInt64(max(1, bound)))
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    mutating func percent(_ chance: Int) -> Bool {
        below(100) < chance
    }

    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }
}

/// The writer of one scale world.
private struct ScaleWorld {
    let db: Database
    let shape: ScaleShape
    var random: SeededRandom
    let passwordHash: String
    private var nextDiagnosisID = 0
    /// `yyyy-MM-dd` of each day offset from today, computed once: formatting dates is slow.
    private let dates: [String]
    private let compactDates: [String]
    private static let firstDay = -400
    private static let lastDay = 40

    init(db: Database, shape: ScaleShape, seed: UInt64, now: Date, passwordHash: String) {
        self.db = db
        self.shape = shape
        self.random = SeededRandom(generator: SplitMix64(seed: seed))
        self.passwordHash = passwordHash
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = APIClock.zone
        // Noon keeps every offset on its own day whatever the time of the clock.
        let noon = calendar.startOfDay(for: now).addingTimeInterval(12 * 3600)
        dates = (Self.firstDay...Self.lastDay).map { APIClock.date(noon.addingTimeInterval(TimeInterval($0 * 86_400))) }
        compactDates = dates.map { $0.replacingOccurrences(of: "-", with: "") }
    }

    private func date(_ day: Int) -> String {
        dates[day - Self.firstDay]
    }

    /// A timestamp `seconds` after midnight of day `day` (seconds may run past midnight).
    private func stamp(_ day: Int, _ seconds: Int) -> String {
        let extra = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return date(day + extra) + " " + SeedSupport.clock(seconds - extra * 86_400)
    }

    /// `Booking.serial` of a diagnosis made on `day`.
    private func serial(_ prefix: String, _ id: Int, day: Int) -> String {
        prefix + compactDates[day - Self.firstDay] + SeedSupport.padded(id % 1_000_000, 6)
    }

    // MARK: Vocabulary

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹").map(String.init)
    static let maleNames = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "志刚", "建华", "国强", "海波", "文博", "子轩"]
    static let femaleNames = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂兰", "婷", "雪", "晓燕", "佳怡", "雨欣", "淑珍"]
    static let departments: [(name: String, goodAt: String, complaint: String, result: String)] = [
        ("心内科", "高血压、冠心病的诊治与随访", "血压偏高，想咨询用药。", "血压控制尚可，继续原方案，低盐饮食，定期监测。"),
        ("内分泌科", "糖尿病、甲状腺疾病的规范管理", "空腹血糖偏高，想咨询饮食。", "2 型糖尿病，控制饮食、适量运动，三个月后复查糖化血红蛋白。"),
        ("中医内科", "失眠、脾胃病的中医调理", "入睡困难，夜里容易醒。", "心脾两虚，予中药调理七剂，规律作息。"),
        ("骨科", "颈肩腰腿痛的康复指导", "久坐后腰痛，弯腰时明显。", "腰肌劳损，指导核心肌群锻炼，避免久坐。"),
        ("儿科", "儿童常见病与生长发育咨询", "孩子反复咳嗽两周。", "上呼吸道感染恢复期，多饮水，观察体温，无需抗生素。"),
        ("眼科", "白内障、青光眼筛查", "看东西越来越模糊。", "早期白内障，暂不需手术，半年后复查。"),
        ("皮肤科", "湿疹、痤疮等常见皮肤病", "手上起红疹，很痒。", "手部湿疹，外用药膏，避免接触洗涤剂。"),
        ("全科", "慢病综合管理与健康咨询", "体检报告有几项异常，想请医生看看。", "血脂略高，饮食控制，三个月后复查。"),
    ]
    static let positions = ["主任医师", "副主任医师", "主治医师", "住院医师"]
    static let hospitalKinds = ["中心医院", "人民医院", "中医医院", "社区卫生服务中心", "康复医院"]
    static let levels = ["三甲医院", "三乙医院", "二甲医院", "社区医院"]
    static let organisations = [
        ("城市志愿医疗队", "多家医院医生自发组成的志愿医疗团队，常年开展社区义诊。"),
        ("银发健康关爱协会", "关注老年人慢病管理与健康教育的公益组织。"),
        ("乡村义诊联盟", "组织城市医生定期到乡镇卫生院义诊、带教。"),
        ("青年医师公益社", "青年医师参与公益医疗、健康科普的平台。"),
    ]
    static let targets = ["老年人", "儿童", "孕产妇", "慢性病患者", "残障人士", "外来务工人员"]
    static let prices = [0, 0, 0, 10, 20, 30, 50]
    static let rejections = ["该时段已约满复诊患者，请改约其他场次", "您的症状建议直接到医院急诊就诊", "本场义诊不接诊该类疾病，请选择对应科室"]
    static let comments = ["医生很耐心，讲解清楚。", "看得很仔细，谢谢医生。", "排队稍久，但医生很专业。", "建议很实用，已经好多了。"]
    static let patientLines = ["医生您好，上次开的药吃完了，需要继续吃吗？", "这两天症状好一些了。", "检查报告出来了，麻烦您看看。", "好的，谢谢医生！", "下次义诊我还能来复查吗？"]
    static let doctorLines = ["您好，先按原方案继续，注意休息。", "报告我看了，问题不大，定期复查即可。", "可以的，直接预约下一场就行。", "注意饮食清淡，多喝水。", "如果症状加重，请及时到医院就诊。"]

    // MARK: Building

    mutating func build() throws {
        try SeedSupport.insertCities(db)
        try insertHospitalsAndOrganisations()
        let people = try insertPeople()
        let booked = try insertProjects(people: people)
        try insertFollows(people: people, booked: booked)
        try insertChats(people: people, booked: booked)
        try insertMessages(people: people, booked: booked)
        try insertContent()
    }

    private var countyIDs: [Int] { SeedSupport.counties.map(\.county.id) }

    private mutating func insertHospitalsAndOrganisations() throws {
        let hospital = try db.makeStatement(
            sql: "INSERT INTO hospital (id, name, logo, banner, level, tag, province_id, city_id, county_id, addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for index in 0..<shape.hospitals {
            let county = SeedSupport.counties[index % SeedSupport.counties.count].county
            let kind = Self.hospitalKinds[index / SeedSupport.counties.count % Self.hospitalKinds.count]
            let id = index + 1
            try hospital.execute(arguments: [
                id, county.name + kind, SeedSupport.image("scale/hospital-\(id)-logo.png"),
                Presenter.listColumn([SeedSupport.image("scale/hospital-\(id)-banner.jpg")]), random.pick(Self.levels),
                random.pick(Self.departments).name, county.provinceID, county.cityID, county.id, "\(county.name)健康路 \(random.int(1...300)) 号",
            ])
        }
        let organisation = try db.makeStatement(sql: "INSERT INTO org (id, name, logo, abstract) VALUES (?, ?, ?, ?)")
        for (index, entry) in Self.organisations.enumerated() {
            try organisation.execute(arguments: [index + 1, entry.0, SeedSupport.image("scale/org-\(index + 1)-logo.png"), entry.1])
        }
    }

    /// What later steps need to know of the accounts.
    struct People {
        let doctors: [SeededDoctor]
        let assistantIDs: [Int]
        let patients: [SeededPatient]
    }

    /// A doctor as later steps need them: where they work and what they treat.
    struct SeededDoctor {
        let id: Int
        let name: String
        let hospitalID: Int
        let county: Int
        let department: Int
        /// The organisation the doctor is an approved member of, if any.
        let organisationID: Int?
    }

    /// A patient as later steps need them.
    struct SeededPatient {
        let id: Int
        let name: String
    }

    private mutating func insertPeople() throws -> People {
        let user = try db.makeStatement(
            sql: """
                INSERT INTO user (id, type, phone, password_hash, real_name, avatars, idno, sex, birthday, email, height, weight,
                    province_id, city_id, county_id, addr, marital_status, drink_status, smoking_status, hospital_id, departments,
                    job_position, good_at, work_photo, abstract, work_time, team_name, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let member = try db.makeStatement(
            sql: "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, \(MembershipStatus.approved.rawValue), ?)")
        let weeks = (0..<8).map { pattern in
            SeedSupport.weekColumn((0..<7).map { day in WorkDay(morning: (pattern + day) % 3 != 0, afternoon: (pattern * 3 + day) % 4 == 1) })
        }
        var nextID = 0

        var doctors: [SeededDoctor] = []
        for index in 0..<shape.doctors {
            nextID += 1
            let person = makePerson(index: index, adult: true)
            let hospitalID = random.int(1...shape.hospitals)
            let county = SeedSupport.counties[(hospitalID - 1) % SeedSupport.counties.count].county
            let department = random.below(Self.departments.count)
            let joined = random.int(-380 ... -100)
            try user.execute(arguments: [
                nextID, UserRole.doctor.rawValue, ScaleSeed.phone(.doctor, index), passwordHash, person.name,
                SeedSupport.image("scale/avatar-d\(index + 1).jpg"), person.idno, SeedSupport.sex(person.idno), SeedSupport.birthday(person.idno),
                nil, nil, nil, county.provinceID, county.cityID, county.id, person.address, nil, nil, nil, hospitalID,
                Self.departments[department].name, random.pick(Self.positions), Self.departments[department].goodAt,
                Presenter.listColumn([SeedSupport.image("scale/licence-\(index + 1).jpg")]),
                "\(Self.departments[department].name)医生，热心公益义诊。", random.pick(weeks), nil, stamp(joined, random.int(28_800...64_800)),
            ])
            var organisationID: Int?
            if random.percent(40) {
                let chosen = random.int(1...Self.organisations.count)
                organisationID = chosen
                try member.execute(arguments: [chosen, nextID, stamp(joined + random.int(1...60), random.int(28_800...64_800))])
            }
            doctors.append(
                SeededDoctor(id: nextID, name: person.name, hospitalID: hospitalID, county: county.id, department: department, organisationID: organisationID))
        }

        var assistantIDs: [Int] = []
        for index in 0..<shape.assistants {
            nextID += 1
            let person = makePerson(index: index, adult: true)
            let county = SeedSupport.county(person.county)
            try user.execute(arguments: [
                nextID, UserRole.assistant.rawValue, ScaleSeed.phone(.assistant, index), passwordHash, person.name,
                SeedSupport.image("scale/avatar-a\(index + 1).jpg"), person.idno, SeedSupport.sex(person.idno), SeedSupport.birthday(person.idno),
                nil, nil, nil, county.provinceID, county.cityID, county.id, person.address, nil, nil, nil, nil, nil, nil, nil, "[]", nil, nil,
                "\(county.name)志愿服务队", stamp(random.int(-380 ... -100), random.int(28_800...64_800)),
            ])
            assistantIDs.append(nextID)
        }

        var patients: [SeededPatient] = []
        let binding = try db.makeStatement(sql: "INSERT INTO assistant_patient (assistant_id, patient_id, created_at) VALUES (?, ?, ?)")
        for index in 0..<shape.patients {
            nextID += 1
            let person = makePerson(index: index, adult: false)
            let county = SeedSupport.county(person.county)
            let male = SeedSupport.sex(person.idno) == 1
            let height = male ? random.int(160...185) : random.int(150...172)
            try user.execute(arguments: [
                nextID, UserRole.patient.rawValue, ScaleSeed.phone(.patient, index), passwordHash, person.name,
                SeedSupport.image("scale/avatar-p\(index + 1).jpg"), person.idno, SeedSupport.sex(person.idno), SeedSupport.birthday(person.idno),
                nil, String(height), String(height - random.int(95...115)), county.provinceID, county.cityID, county.id, person.address,
                random.int(0...3), random.percent(30) ? 1 : 0, random.percent(25) ? 1 : 0, nil, nil, nil, nil, "[]", nil, nil, nil,
                stamp(random.int(-380 ... -100), random.int(28_800...79_200)),
            ])
            patients.append(SeededPatient(id: nextID, name: person.name))
            let assistant = index / ScaleShape.patientsPerAssistant
            if assistant < assistantIDs.count {
                try binding.execute(arguments: [assistantIDs[assistant], nextID, stamp(random.int(-99 ... -70), random.int(28_800...64_800))])
            }
        }
        return People(doctors: doctors, assistantIDs: assistantIDs, patients: patients)
    }

    private mutating func makePerson(index: Int, adult: Bool) -> (name: String, idno: String, county: Int, address: String) {
        let male = random.percent(50)
        let name = random.pick(Self.surnames) + random.pick(male ? Self.maleNames : Self.femaleNames)
        let year = adult ? random.int(1960...1998) : random.int(1940...2012)
        let birthday = "\(year)-\(SeedSupport.padded(random.int(1...12), 2))-\(SeedSupport.padded(random.int(1...28), 2))"
        let county = random.pick(countyIDs)
        let idno = SeedSupport.idCardNumber(area: county, birthday: birthday, sequence: index, male: male)
        return (name, idno, county, "\(SeedSupport.county(county).name)幸福里 \(random.int(1...60)) 号楼")
    }

    // MARK: Projects and bookings

    /// What a patient's bookings tell the later steps: whom they saw and what happened.
    struct Booked {
        /// Per patient (index), the doctor (index) of their first booking.
        var firstDoctor: [Int?]
        /// Per patient (index), up to two of their bookings, for system messages.
        var notices: [[Notice]]
    }

    /// A booking worth a system message to its patient.
    struct Notice {
        let kind: Outcome
        let date: String
        let doctor: Int
        /// Seconds from today's midnight.
        let time: Int
    }

    /// What became of a booking.
    enum Outcome {
        case waiting, done, noShow, cancelled, rejected, doctorCancelled
    }

    /// A project before its row: its doctor (index), day, and when it was published.
    private struct ProjectSpec {
        let index: Int
        let doctor: Int
        let day: Int
        let createdDay: Int
        let createdSeconds: Int
    }

    private mutating func insertProjects(people: People) throws -> Booked {
        // Projects are numbered in the order they were published, as the server numbers them.
        var specs: [ProjectSpec] = []
        specs.reserveCapacity(shape.projects)
        for index in 0..<shape.projects {
            let day = random.int(-60...30)
            let latest = min(day - 1, -1)
            specs.append(
                ProjectSpec(
                    index: index, doctor: random.below(people.doctors.count), day: day, createdDay: latest - random.int(3...20),
                    createdSeconds: random.int(21_600...25_199)))
        }
        specs.sort { ($0.createdDay, $0.createdSeconds, $0.index) < ($1.createdDay, $1.createdSeconds, $1.index) }

        let statements = Statements(
            project: try db.makeStatement(
                sql: """
                    INSERT INTO project (id, doctor_id, hospital_id, org_id, date, begin, "end", people_count, lng, lat, addr,
                        service_target, abstract, price, status, slot_capacity, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """),
            casebook: try db.makeStatement(
                sql: "INSERT INTO casebook (id, user_id, project_id, content, photo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            diagnosis: try db.makeStatement(
                sql: """
                    INSERT INTO diagnosis (id, project_id, user_id, doctor_user_id, hospital_id, assistant_user_id, casebook_id,
                        verify_status, reject_msg, visit_time, status, amount, refund_status, refund_time, refund_sn, confirm_no_refund,
                        sn, diag_result, diag_photo, patient_credit_score, patient_punctuality_score, doctor_comment_time,
                        doctor_score, doctor_comment, patient_comment_time, plan_time, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """))
        var booked = Booked(firstDoctor: Array(repeating: nil, count: people.patients.count), notices: Array(repeating: [], count: people.patients.count))
        var special: [SpecialItem] = []
        for (order, spec) in specs.enumerated() {
            let item = try insertProject(id: order + 1, spec: spec, people: people, statements: statements, booked: &booked)
            if let item, special.count < 5 { special.append(item) }
        }
        try insertSpecialProject(special)
        return booked
    }

    /// The prepared statements of the project step, compiled once.
    private struct Statements {
        let project: Statement
        let casebook: Statement
        let diagnosis: Statement
    }

    /// A project of the special project's day.
    private struct SpecialItem {
        let id: Int
        let begin: Int
        let end: Int
        let capacity: Int
        let county: Int
    }

    /// One planned booking: who, what became of it, and when it was made and ended (seconds
    /// from today's midnight).
    private struct PlannedBooking {
        let order: Int
        let patient: Int
        let outcome: Outcome
        let joined: Int
        /// When it stopped holding its place; nil while it holds it.
        let ended: Int?
    }

    /// Writes one project and its bookings; answers it when it belongs to the special project.
    private mutating func insertProject(id projectID: Int, spec: ProjectSpec, people: People, statements: Statements, booked: inout Booked) throws
        -> SpecialItem?
    {
        let doctor = people.doctors[spec.doctor]
        let department = Self.departments[doctor.department]
        let county = SeedSupport.county(doctor.county)
        let begin = random.int(16...30) * 1800
        let duration = random.int(4...8) * 1800
        let end = begin + duration
        let price = random.pick(Self.prices)
        let amount = String(price) + ".00"
        let cancelled = spec.day > 0 && random.percent(3)
        let latest = min(spec.day - 1, -1)
        // The doctor cancels the evening before the last day bookings were taken.
        let cancelledAt = latest * 86_400 + 84_600

        // Who booked and what became of it, decided before the project row so the capacity can
        // follow (some projects are exactly full).
        let bookingCount = min(random.int(8...12), people.patients.count)
        var chosen: Set<Int> = []
        var plans: [PlannedBooking] = []
        while plans.count < bookingCount {
            let patient = random.below(people.patients.count)
            guard chosen.insert(patient).inserted else { continue }
            let roll = random.below(100)
            var outcome: Outcome =
                if spec.day < 0 {
                    roll < 60 ? .done : roll < 72 ? .noShow : roll < 88 ? .cancelled : .rejected
                } else {
                    roll < 80 ? .waiting : roll < 92 ? .cancelled : .rejected
                }
            let joined = random.int(spec.createdDay...latest) * 86_400 + random.int(25_200...68_399)
            var ended: Int?
            if outcome == .cancelled || outcome == .rejected {
                ended = joined + random.int(3600...14_400)
            } else if cancelled {
                outcome = .doctorCancelled
                ended = cancelledAt
            }
            plans.append(PlannedBooking(order: plans.count, patient: patient, outcome: outcome, joined: joined, ended: ended))
        }
        let holding = plans.filter { $0.outcome != .cancelled && $0.outcome != .rejected }.count
        let full = !cancelled && spec.day >= 0 && holding > 0 && random.percent(10)
        let capacity = full ? holding : max(holding, random.int(10...30))
        let plan = SlotPlan(begin: begin, end: end, places: capacity)
        let slots = plan.slots

        try statements.project.execute(arguments: [
            projectID, doctor.id, doctor.hospitalID, random.percent(50) ? doctor.organisationID : nil, date(spec.day),
            SeedSupport.clock(begin), SeedSupport.clock(end), capacity,
            SeedSupport.coordinate(county.longitude + Double(random.int(-300...300)) / 10_000),
            SeedSupport.coordinate(county.latitude + Double(random.int(-300...300)) / 10_000),
            "\(county.name)社区卫生服务站 \(random.int(1...9)) 号诊室",
            Presenter.listColumn([random.pick(Self.targets)]), "\(department.name)义诊：\(department.goodAt)。", price,
            cancelled ? 0 : 1, plan.column, stamp(spec.createdDay, spec.createdSeconds),
        ])

        // Bookings replayed in the order they were made, as `Booking.join` would take them: each
        // takes a slot with room at that moment (a booking that finds none never happened), and
        // gives it back when it ends.
        var free = slots.map(\.capacity)
        var holders: [(until: Int, slot: Int)] = []
        for plan in plans.sorted(by: { ($0.joined, $0.order) < ($1.joined, $1.order) }) {
            holders.removeAll { holder in
                guard holder.until <= plan.joined else { return false }
                free[holder.slot] += 1
                return true
            }
            let start = random.below(slots.count)
            guard let slot = (0..<slots.count).map({ (start + $0) % slots.count }).first(where: { free[$0] > 0 }) else { continue }
            free[slot] -= 1
            if let ended = plan.ended { holders.append((ended, slot)) }
            try insertBooking(
                plan, projectID: projectID, spec: spec, doctor: doctor, slot: slots[slot].label, begin: begin, end: end, price: price, amount: amount,
                people: people, statements: statements, booked: &booked)
        }
        guard spec.day == 7, !cancelled else { return nil }
        return SpecialItem(id: projectID, begin: begin, end: end, capacity: capacity, county: doctor.county)
    }

    private mutating func insertBooking(
        _ plan: PlannedBooking, projectID: Int, spec: ProjectSpec, doctor: SeededDoctor, slot label: String, begin: Int, end: Int, price: Int,
        amount: String, people: People, statements: Statements, booked: inout Booked
    ) throws {
        nextDiagnosisID += 1
        let diagnosisID = nextDiagnosisID
        let department = Self.departments[doctor.department]
        let patient = people.patients[plan.patient]
        let bookingDay = Int((Double(plan.joined) / 86_400).rounded(.down))
        let created = stamp(0, plan.joined)
        let assistant = plan.patient / ScaleShape.patientsPerAssistant
        let assistantID = assistant < people.assistantIDs.count && random.percent(50) ? people.assistantIDs[assistant] : 0
        // The assistant's booking route writes an empty casebook.
        let content = assistantID == 0 ? department.complaint : ""
        let photos = assistantID == 0 && random.percent(30) ? Presenter.listColumn([SeedSupport.image("scale/casebook-\(diagnosisID).jpg")]) : "[]"
        try statements.casebook.execute(arguments: [diagnosisID, patient.id, projectID, content, photos, created, created])

        var row = DiagnosisRow(id: diagnosisID, created: created, serial: serial("VD", diagnosisID, day: bookingDay))
        var noticeTime = plan.joined
        switch plan.outcome {
        case .waiting:
            break
        case .cancelled, .rejected, .doctorCancelled:
            let ended = plan.ended ?? plan.joined
            let endedDay = Int((Double(ended) / 86_400).rounded(.down))
            let reason =
                switch plan.outcome {
                case .rejected: random.pick(Self.rejections)
                case .doctorCancelled: Booking.projectCancelledReason
                default: ""
                }
            row.end(
                verifyStatus: (plan.outcome == .rejected ? BookingStatus.rejected : .cancelled).rawValue, reason: reason, at: stamp(0, ended),
                refundSerial: price > 0 ? serial("RF", diagnosisID, day: endedDay) : nil)
            noticeTime = ended
        case .done:
            let seenSeconds = begin + random.below(end - begin - 60)
            let seen = stamp(spec.day, seenSeconds)
            row.status = VisitStatus.seen.rawValue
            row.updated = stamp(spec.day, seenSeconds + 300)
            if price > 0 {
                row.refund = (seen, serial("RF", diagnosisID, day: spec.day))
            }
            row.result = department.result
            row.resultPhotos = random.percent(40) ? Presenter.listColumn([SeedSupport.image("scale/result-\(diagnosisID).jpg")]) : "[]"
            if random.percent(70) {
                row.patientRating = (random.int(3...5), random.int(3...5), stamp(spec.day, end + 600))
                row.updated = stamp(spec.day, end + 600)
            }
            if random.percent(55) {
                let rated = stamp(spec.day, 72_000 + random.below(3600))
                row.doctorRating = (random.pick([3, 4, 4, 5, 5, 5]), random.pick(Self.comments), rated)
                row.updated = rated
            }
            noticeTime = spec.day * 86_400 + seenSeconds
        case .noShow:
            row.status = VisitStatus.missed.rawValue
            // A deposit guarantees attendance: a no-show's is kept.
            row.confirmNoRefund = price > 0 ? 1 : 0
            row.updated = stamp(spec.day, end + 1800)
            noticeTime = spec.day * 86_400 + end + 1800
        }

        try statements.diagnosis.execute(arguments: [
            row.id, projectID, patient.id, doctor.id, doctor.hospitalID, assistantID, row.id,
            row.verifyStatus, row.reason, "\(date(spec.day)) \(label.prefix(8))", row.status, amount,
            row.refund == nil ? nil : 1, row.refund?.time, row.refund?.serial, row.confirmNoRefund,
            row.serial, row.result, row.result == nil ? nil : row.resultPhotos,
            row.patientRating?.credit ?? 0, row.patientRating?.punctuality ?? 0, row.patientRating?.time,
            row.doctorRating?.score ?? 0, row.doctorRating?.comment, row.doctorRating?.time, label, row.created, row.updated,
        ])
        if booked.firstDoctor[plan.patient] == nil { booked.firstDoctor[plan.patient] = spec.doctor }
        if booked.notices[plan.patient].count < 2 {
            booked.notices[plan.patient].append(Notice(kind: plan.outcome, date: date(spec.day), doctor: spec.doctor, time: noticeTime))
        }
    }

    /// One diagnosis row as it ends up after its story.
    private struct DiagnosisRow {
        let id: Int
        let created: String
        let serial: String
        var updated: String
        var verifyStatus = BookingStatus.booked.rawValue
        var reason = ""
        var status = VisitStatus.waiting.rawValue
        var refund: (time: String, serial: String)?
        var confirmNoRefund = 0
        var result: String?
        var resultPhotos = "[]"
        var patientRating: (credit: Int, punctuality: Int, time: String)?
        var doctorRating: (score: Int, comment: String, time: String)?

        init(id: Int, created: String, serial: String) {
            self.id = id
            self.created = created
            self.serial = serial
            self.updated = created
        }

        /// `Booking.end`: cancelled (3) or rejected (2), with a refund when a deposit was paid.
        mutating func end(verifyStatus: Int, reason: String, at time: String, refundSerial: String?) {
            self.verifyStatus = verifyStatus
            self.reason = reason
            updated = time
            if let refundSerial { refund = (time, refundSerial) }
        }
    }

    private mutating func insertSpecialProject(_ items: [SpecialItem]) throws {
        guard let first = items.first else { return }
        let county = SeedSupport.county(first.county)
        try db.execute(
            sql: """
                INSERT INTO special_project (id, hospital_id, org_id, date, begin, "end", people_count, lng, lat, addr, abstract, photo, price, service_target)
                VALUES (1, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """,
            arguments: [
                random.int(1...Self.organisations.count), date(7), SeedSupport.clock(items.map(\.begin).min() ?? 0),
                SeedSupport.clock(items.map(\.end).max() ?? 0), items.map(\.capacity).reduce(0, +),
                SeedSupport.coordinate(county.longitude), SeedSupport.coordinate(county.latitude), "多地社区同步举行",
                "社区健康周：多位医生同日义诊。", SeedSupport.image("scale/special-1.jpg"), Presenter.listColumn(["老年人", "慢性病患者"]),
            ])
        for item in items {
            try db.execute(sql: "INSERT INTO special_project_item (special_project_id, project_id) VALUES (1, ?)", arguments: [item.id])
        }
    }

    // MARK: Around the bookings

    private mutating func insertFollows(people: People, booked: Booked) throws {
        let follow = try db.makeStatement(sql: "INSERT INTO follow (user_id, doctor_id, created_at) VALUES (?, ?, ?)")
        for (index, patient) in people.patients.enumerated() {
            guard let doctor = booked.firstDoctor[index], random.percent(50) else { continue }
            try follow.execute(arguments: [patient.id, people.doctors[doctor].id, stamp(random.int(-90 ... -1), random.int(28_800...79_200))])
        }
        for assistantID in people.assistantIDs {
            var followed: Set<Int> = []
            for _ in 0..<min(3, people.doctors.count) {
                let doctor = random.below(people.doctors.count)
                guard followed.insert(doctor).inserted else { continue }
                try follow.execute(arguments: [assistantID, people.doctors[doctor].id, stamp(random.int(-90 ... -1), random.int(28_800...79_200))])
            }
        }
    }

    private mutating func insertChats(people: People, booked: Booked) throws {
        /// One chat message: in which dialog (index of `pairs`), its place in it, when, from whom.
        struct Line {
            let dialog: Int
            let order: Int
            let time: Int
            let fromPatient: Bool
            let content: String
            var unread = false
        }
        var pairs: [(patient: Int, doctor: Int)] = []
        var lines: [Line] = []
        for index in stride(from: 0, to: people.patients.count, by: 2) {
            guard let doctor = booked.firstDoctor[index] else { continue }
            let dialog = pairs.count
            pairs.append((people.patients[index].id, people.doctors[doctor].id))
            // Seconds from today's midnight: the talk starts weeks ago and stops before today.
            var time = random.int(-30 ... -2) * 86_400 + random.int(28_800...72_000)
            var fromPatient = true
            var talk: [Line] = []
            for order in 0..<random.int(6...14) {
                guard time < 0 else { break }
                talk.append(
                    Line(
                        dialog: dialog, order: order, time: time, fromPatient: fromPatient,
                        content: random.pick(fromPatient ? Self.patientLines : Self.doctorLines)))
                time += random.int(300...21_600)
                if random.percent(80) { fromPatient.toggle() }
            }
            // Opening a dialog marks what it holds for the reader as read, and one answers only
            // after reading: only the last sender's trailing run can still be unread.
            if random.percent(50), let last = talk.last {
                for position in talk.indices.reversed() {
                    guard talk[position].fromPatient == last.fromPatient else { break }
                    talk[position].unread = true
                }
            }
            lines += talk
        }
        // Message ids grow with time across dialogs, as the server assigns them.
        lines.sort { ($0.time, $0.dialog, $0.order) < ($1.time, $1.dialog, $1.order) }
        var lastMessage = Array(repeating: 0, count: pairs.count)
        for (position, line) in lines.enumerated() { lastMessage[line.dialog] = position + 1 }

        let dialog = try db.makeStatement(sql: "INSERT INTO chat_dialog (id, patient_user_id, doctor_user_id, last_msg_id) VALUES (?, ?, ?, ?)")
        for (index, pair) in pairs.enumerated() {
            try dialog.execute(arguments: [index + 1, pair.patient, pair.doctor, lastMessage[index] == 0 ? nil : lastMessage[index]])
        }
        let message = try db.makeStatement(
            sql:
                "INSERT INTO chat_message (id, dialog_id, type, from_user_id, to_user_id, content, photo, is_read, created_at) VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?)"
        )
        for (position, line) in lines.enumerated() {
            let pair = pairs[line.dialog]
            try message.execute(arguments: [
                position + 1, line.dialog + 1, line.fromPatient ? UserRole.patient.rawValue : UserRole.doctor.rawValue,
                line.fromPatient ? pair.patient : pair.doctor, line.fromPatient ? pair.doctor : pair.patient, line.content,
                line.unread ? 0 : 1, stamp(0, line.time),
            ])
        }
    }

    private mutating func insertMessages(people: People, booked: Booked) throws {
        let message = try db.makeStatement(
            sql: "INSERT INTO message (type, to_user_id, title, content, publish_time, username, avatars) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let sender = "志愿医生平台"
        let avatar = SeedSupport.image("scale/platform-logo.png")
        for index in 0..<5 {
            try message.execute(arguments: [
                0, nil, "平台公告 \(index + 1)", "志愿医生平台第 \(index + 1) 期健康服务公告：近期义诊安排已更新，欢迎预约。",
                stamp(-60 + index * 12, 36_000), sender, avatar,
            ])
        }
        for (index, patient) in people.patients.enumerated() {
            var notices = booked.notices[index].map { notice -> (String, String, String) in
                let doctor = people.doctors[notice.doctor].name
                let (title, text): (String, String) =
                    switch notice.kind {
                    case .waiting: ("挂号成功", "您已成功预约 \(notice.date) \(doctor)医生的义诊，请按时到场。")
                    case .done: ("就诊完成", "您已完成 \(notice.date) \(doctor)医生的义诊，欢迎评价医生。")
                    case .noShow: ("未按时就诊", "您预约的 \(notice.date) \(doctor)医生的义诊未按时到场。")
                    case .cancelled: ("挂号已取消", "您预约的 \(notice.date) \(doctor)医生的义诊已取消。")
                    case .rejected: ("挂号未通过", "您预约的 \(notice.date) \(doctor)医生的义诊未通过，押金如有将原路退回。")
                    case .doctorCancelled: ("义诊已取消", "\(doctor)医生取消了 \(notice.date) 的义诊，押金如有将原路退回。")
                    }
                return (title, text, stamp(0, min(notice.time, -1)))
            }
            while notices.count < 2 {
                notices.append(("健康提醒", "换季时节，请注意作息规律、适量运动。", stamp(random.int(-60 ... -1), random.int(28_800...72_000))))
            }
            for notice in notices {
                try message.execute(arguments: [1, patient.id, notice.0, notice.1, notice.2, sender, avatar])
            }
        }
        for doctor in people.doctors {
            try message.execute(arguments: [1, doctor.id, "资料审核通过", "您的医生资料已审核通过，可以发布义诊了。", stamp(random.int(-99 ... -60), 36_000), sender, avatar])
        }
        for assistantID in people.assistantIDs {
            try message.execute(arguments: [1, assistantID, "欢迎加入医助团队", "感谢您参与志愿服务，绑定患者后即可协助挂号。", stamp(random.int(-99 ... -60), 36_000), sender, avatar])
        }
    }

    private mutating func insertContent() throws {
        let news = try db.makeStatement(sql: "INSERT INTO news (type, title, photo, content, publish_time) VALUES (?, ?, ?, ?, ?)")
        let audiences = ["患者", "医生", "医助"]
        for type in 1...3 {
            for index in 0..<4 {
                try news.execute(arguments: [
                    type, "\(audiences[type - 1])公告 \(index + 1)", SeedSupport.image("scale/news-\(type)-\(index + 1).jpg"),
                    "<p>\(audiences[type - 1])须知第 \(index + 1) 条。</p>", stamp(-50 + index * 12 + type, 32_400),
                ])
            }
        }
        let banner = try db.makeStatement(
            sql: "INSERT INTO banner (audience, hospital_id, org_id, title, photo, jump_mode, jump_id, href) VALUES (?, ?, ?, ?, ?, ?, 0, ?)")
        // Audience, hospital, organisation: general banners for patients and assistants, and a
        // hospital's and an organisation's own for their patient home pages.
        let banners: [(audience: Int, hospitalID: Int?, organisationID: Int?)] = [
            (1, nil, nil), (1, nil, nil), (1, 1, nil), (1, nil, 1), (3, nil, nil), (3, nil, nil),
        ]
        for (index, entry) in banners.enumerated() {
            let (audience, hospitalID, organisationID) = entry
            let link = index % 2 == 0 ? "https://static.example.com/vdapi/scale/banner-\(index + 1).html" : ""
            try banner.execute(arguments: [
                audience, hospitalID, organisationID, "活动 \(index + 1)", SeedSupport.image("scale/banner-\(index + 1).jpg"), link.isEmpty ? 0 : 1, link,
            ])
        }
    }
}
