import Foundation
import GRDB
import HummingbirdBcrypt
import VolunteerAPI

/// The `demo` world: a small, realistic clinic network for people trying the API by hand.
///
/// Four regions with their districts, four hospitals, three organisations, three doctors, two
/// assistants and eight patients; projects that ended, one in progress today, upcoming ones
/// (nearly full, full, quiet) and one the doctor cancelled; bookings in every state the rules
/// allow, chat, system messages, news, banners and a special project. Everything is placed
/// relative to the server's clock, so the world looks alive whenever it is seeded.
///
/// Bookings go through `Booking` itself (join, end, done) at the moment each happened, and the
/// project cancellation and ratings repeat what their routes write, so every derived field
/// (`sn`, `amount`, `visit_time`, refunds, slots) is what the server would have produced.
struct DemoSeed {
    let configuration: ReferenceServerConfiguration

    /// The password of every demo account.
    static let password = "demo123"

    /// A demo account as the summary lists it.
    struct Account: Sendable, Hashable {
        let role: UserRole
        let name: String
        let phone: String
    }

    /// Every demo account: doctors, assistants, patients.
    static var accounts: [Account] {
        DemoWorld.doctors.map { Account(role: .doctor, name: $0.person.name, phone: $0.person.phone) }
            + DemoWorld.assistants.map { Account(role: .assistant, name: $0.person.name, phone: $0.person.phone) }
            + DemoWorld.patients.map { Account(role: .patient, name: $0.person.name, phone: $0.person.phone) }
    }

    func run(_ database: ReferenceDatabase) async throws -> String {
        let now = configuration.clock()
        // One hash for every account: bcrypt is slow on purpose.
        let hash = Bcrypt.hash(Self.password, cost: configuration.bcryptCost)
        let counts = try await database.write { db in
            try SeedSupport.requireEmpty(db)
            try DemoWorld(db: db, now: now, passwordHash: hash).build()
            return try SeedSupport.counts(db)
        }
        return summary(counts, now: now)
    }

    private func summary(_ counts: [SeedSupport.TableCount], now: Date) -> String {
        let base = SeedSupport.baseURL(configuration)
        var lines = [
            "vdapi demo world, as of \(APIClock.timestamp(now)) (China time)",
            "  " + SeedSupport.describe(counts),
            "",
            "Demo accounts (password \(Self.password) for all; log in with type 1 patient, 2 doctor, 3 assistant):",
        ]
        for account in Self.accounts {
            let role = "\(account.role)".padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append("  \(role) type \(account.role.rawValue)  \(account.phone)  \(account.name)")
        }
        lines += [
            "",
            "Log in as the first doctor, then list the doctor's projects with the token of the answer (data.token):",
            #"  curl -s -X POST \#(base)/login -H 'Content-Type: application/json' -d '{"phono":"\#(DemoWorld.doctors[0].person.phone)","pwd":"\#(Self.password)","type":2}'"#,
            "  curl -s \(base)/doctor/project -H 'X-auth-token: <token from the login answer>'",
        ]
        return lines.joined(separator: "\n")
    }
}

// MARK: - The demo world

/// Who is in the demo world and what happened to them, and the code that writes it.
private struct DemoWorld {
    let db: Database
    let now: Date
    let passwordHash: String
    /// Midnight of the server's today, China time: day offsets count from it.
    let today: Date

    init(db: Database, now: Date, passwordHash: String) {
        self.db = db
        self.now = now
        self.passwordHash = passwordHash
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = APIClock.zone
        today = calendar.startOfDay(for: now)
    }

    // MARK: People

    /// What every demo account has: name, phone, sex, birthday and home district.
    struct Person {
        let name: String
        let phone: String
        let male: Bool
        let birthday: String
        let county: Int
        let address: String
    }

    /// A doctor's completed profile (`PUT /user`, §3.1.4) and organisations.
    struct DoctorProfile {
        let person: Person
        let hospital: Int
        let department: String
        let position: String
        let goodAt: String
        let abstract: String
        /// Working half-days, Monday first: "11" morning and afternoon, "10" morning only...
        let week: [String]
        let organisations: [Int]
    }

    /// An assistant's completed profile (§3.1.5) and the patients they look after.
    struct AssistantProfile {
        let person: Person
        let team: String
        /// Indexes into `patients` of the patients this assistant looks after.
        let patients: [Int]
    }

    /// A patient's completed profile (§3.1.3).
    struct PatientProfile {
        let person: Person
        let height: String
        let weight: String
        let marital: Int
        let drinks: Bool
        let smokes: Bool
    }

    static let doctors = [
        DoctorProfile(
            person: Person(name: "王建国", phone: "13800000001", male: true, birthday: "1968-05-20", county: SeedSupport.chaoyang, address: "朝阳区东三环中路 27 号"),
            hospital: 0, department: "心内科", position: "主任医师", goodAt: "高血压、冠心病、心律失常的诊治与长期随访",
            abstract: "从事心血管内科临床工作二十余年，常年参加社区义诊，重视慢病管理与健康宣教。",
            week: ["10", "10", "11", "10", "10", "00", "00"], organisations: [0, 1]),
        DoctorProfile(
            person: Person(name: "李秀英", phone: "13800000002", male: false, birthday: "1975-11-02", county: SeedSupport.haidian, address: "海淀区学院路 15 号"),
            hospital: 1, department: "中医内科", position: "副主任医师", goodAt: "失眠、慢性胃炎、更年期综合征的中医调理",
            abstract: "中医内科副主任医师，擅长以中药与生活方式调理慢性病，耐心细致。",
            week: ["01", "11", "00", "11", "01", "10", "00"], organisations: [1]),
        DoctorProfile(
            person: Person(name: "张伟", phone: "13800000003", male: true, birthday: "1983-07-15", county: SeedSupport.wuhou, address: "武侯区人民南路四段 9 号"),
            hospital: 2, department: "骨科", position: "主治医师", goodAt: "颈椎病、腰椎间盘突出、骨关节炎的康复指导",
            abstract: "骨科主治医师，关注基层群众的颈肩腰腿痛问题，定期下乡义诊并教授康复操。",
            week: ["11", "10", "10", "01", "11", "00", "10"], organisations: [2]),
    ]

    static let assistants = [
        AssistantProfile(
            person: Person(name: "刘芳", phone: "13800000011", male: false, birthday: "1992-04-18", county: SeedSupport.chaoyang, address: "朝阳区团结湖路 3 号"),
            team: "朝阳社区志愿服务队", patients: [0, 1, 2]),
        AssistantProfile(
            person: Person(name: "陈静", phone: "13800000012", male: false, birthday: "1995-09-09", county: SeedSupport.wuhou, address: "武侯区玉林北路 21 号"),
            team: "武侯青年志愿者协会", patients: [3, 4]),
    ]

    static let patients = [
        PatientProfile(
            person: Person(name: "赵明", phone: "13800000021", male: true, birthday: "1956-03-12", county: SeedSupport.chaoyang, address: "朝阳区劲松小区 4 号楼"),
            height: "170", weight: "72", marital: 1, drinks: true, smokes: true),
        PatientProfile(
            person: Person(name: "孙丽华", phone: "13800000022", male: false, birthday: "1962-08-25", county: SeedSupport.haidian, address: "海淀区双榆树小区 8 号楼"),
            height: "158", weight: "55", marital: 1, drinks: false, smokes: false),
        PatientProfile(
            person: Person(name: "周强", phone: "13800000023", male: true, birthday: "1978-01-30", county: SeedSupport.chaoyang, address: "朝阳区望京西园 2 区"),
            height: "176", weight: "80", marital: 1, drinks: true, smokes: false),
        PatientProfile(
            person: Person(name: "吴婷", phone: "13800000024", male: false, birthday: "1990-06-06", county: SeedSupport.wuhou, address: "武侯区棕北小区 6 栋"),
            height: "162", weight: "50", marital: 0, drinks: false, smokes: false),
        PatientProfile(
            person: Person(name: "郑海", phone: "13800000025", male: true, birthday: "1948-12-01", county: SeedSupport.jinjiang, address: "锦江区水井坊社区 12 号"),
            height: "168", weight: "65", marital: 3, drinks: false, smokes: true),
        PatientProfile(
            person: Person(name: "冯小燕", phone: "13800000026", male: false, birthday: "1985-10-10", county: SeedSupport.wuhua, address: "五华区翠湖南路 5 号"),
            height: "160", weight: "52", marital: 1, drinks: false, smokes: false),
        PatientProfile(
            person: Person(name: "何志刚", phone: "13800000027", male: true, birthday: "1970-02-14", county: SeedSupport.haidian, address: "海淀区北太平庄路 18 号"),
            height: "172", weight: "78", marital: 2, drinks: true, smokes: true),
        PatientProfile(
            person: Person(name: "林晓", phone: "13800000028", male: false, birthday: "2001-05-21", county: SeedSupport.jinjiang, address: "锦江区春熙路 30 号"),
            height: "165", weight: "48", marital: 0, drinks: false, smokes: false),
    ]

    // MARK: Projects and what happened in them

    /// What became of a booking.
    enum Outcome {
        case waiting
        /// Seen; the doctor wrote `result`, maybe rated the patient (credit, punctuality) and
        /// the patient maybe rated the doctor (score, words).
        case done(result: String, patientRating: (credit: Int, punctuality: Int)?, doctorRating: (score: Int, comment: String)?)
        case noShow
        case cancelled
        case rejected(String)
    }

    /// A booking as planned: who, through whom, which slot (index), what became of it.
    struct PlannedBooking {
        let patient: Int
        /// The assistant (index) who booked for the patient, or nil when the patient did.
        let assistant: Int?
        let slot: Int
        let outcome: Outcome
        let content: String

        init(_ patient: Int, by assistant: Int? = nil, slot: Int, _ outcome: Outcome, _ content: String = "") {
            self.patient = patient
            self.assistant = assistant
            self.slot = slot
            self.outcome = outcome
            self.content = content
        }
    }

    /// A project as planned, with hours in seconds from midnight.
    struct PlannedProject {
        let doctor: Int
        let organisation: Int?
        /// Days from today; nil for today's project, whose hours follow the clock.
        let day: Int?
        let begin: Int
        let end: Int
        let capacity: Int
        let price: Int
        let targets: [String]
        let abstract: String
        let cancelled: Bool
        let bookings: [PlannedBooking]
    }

    static let rejectionTooEarly = "该时段已安排给复诊患者，请改约下周的义诊"
    static let rejectionEmergency = "您描述的症状较急，建议直接到医院急诊就诊"
    static let rejectionWrongClinic = "本场以失眠调理为主，您的情况建议到骨科就诊"

    /// The projects, in the order they were published.
    // Long because it is a table of data, one entry per project, read best in one place.
    func plannedProjects() -> [PlannedProject] {
        let clock = Int(now.timeIntervalSince(today))
        // Today's project started an hour before the current half hour and runs two and a half
        // hours past it, kept within the day, so it is in progress whenever the world is seeded.
        let halfHour = clock / 1800 * 1800
        let todayBegin = max(0, halfHour - 3600)
        let todayEnd = min(86_399, halfHour + 9000)
        return [
            PlannedProject(
                doctor: 0, organisation: 0, day: -14, begin: 9 * 3600, end: 11 * 3600, capacity: 8, price: 20,
                targets: ["老年人", "慢性病患者"], abstract: "高血压、冠心病免费筛查与用药指导，请携带既往病历和正在服用的药物。", cancelled: false,
                bookings: [
                    PlannedBooking(
                        0, by: 0, slot: 0,
                        .done(
                            result: "血压控制尚可，继续服用氨氯地平 5mg 每日一次，低盐饮食，每周测量血压三次。",
                            patientRating: (5, 5), doctorRating: (5, "王医生非常耐心，把用药讲得很清楚。"))),
                    PlannedBooking(
                        1, slot: 0,
                        .done(
                            result: "心电图未见明显异常，胸闷与焦虑、睡眠差有关，建议规律作息，一个月后复查。",
                            patientRating: (4, 5), doctorRating: (4, "排队稍久，但看得很仔细。")),
                        "最近爬楼梯时偶尔胸闷，休息后缓解。"),
                    PlannedBooking(6, slot: 1, .noShow, "血压偏高两年，想咨询是否需要换药。"),
                    PlannedBooking(2, slot: 2, .rejected(Self.rejectionTooEarly), "体检发现血脂偏高，想咨询饮食。"),
                    PlannedBooking(5, slot: 3, .cancelled, "家里老人心慌，想先来问问。"),
                ]),
            PlannedProject(
                doctor: 1, organisation: 1, day: -7, begin: 14 * 3600, end: 16 * 3600, capacity: 6, price: 0,
                targets: ["老年人", "更年期女性"], abstract: "中医体质辨识与失眠、脾胃不适调理，现场提供养生茶饮方。", cancelled: false,
                bookings: [
                    PlannedBooking(
                        1, slot: 0,
                        .done(
                            result: "心脾两虚型失眠，予归脾汤加减七剂，睡前温水泡脚，忌浓茶。",
                            patientRating: (5, 4), doctorRating: (5, "调理两周睡眠好多了，谢谢李医生。")),
                        "入睡困难一个多月，夜里容易醒。"),
                    PlannedBooking(
                        6, slot: 1,
                        .done(result: "慢性浅表性胃炎可能，建议少食多餐，忌辛辣生冷，必要时做胃镜。", patientRating: (4, 4), doctorRating: nil),
                        "饭后胃胀、反酸，时好时坏。"),
                    PlannedBooking(0, by: 0, slot: 1, .noShow),
                    PlannedBooking(2, by: 0, slot: 2, .cancelled),
                ]),
            PlannedProject(
                doctor: 2, organisation: 2, day: -3, begin: 9 * 3600, end: 12 * 3600, capacity: 10, price: 30,
                targets: ["中老年人", "久坐上班族"], abstract: "颈肩腰腿痛义诊，现场评估并教授康复操，押金就诊后退还。", cancelled: false,
                bookings: [
                    PlannedBooking(
                        3, by: 1, slot: 0,
                        .done(
                            result: "颈型颈椎病，予颈椎康复操指导，避免长时间低头，两周后复诊。",
                            patientRating: (5, 5), doctorRating: (5, "张医生手法很专业，讲解也细致。"))),
                    PlannedBooking(
                        4, by: 1, slot: 1, .done(result: "双膝骨关节炎，建议减少爬楼，股四头肌锻炼，疼痛时外用消炎镇痛药。", patientRating: nil, doctorRating: nil)),
                    PlannedBooking(7, slot: 2, .noShow, "久坐后腰痛，早上起床时明显。"),
                    PlannedBooking(5, slot: 3, .rejected(Self.rejectionEmergency), "昨天摔倒后手腕肿痛，不能活动。"),
                ]),
            PlannedProject(
                doctor: 0, organisation: 0, day: nil, begin: todayBegin, end: todayEnd, capacity: 8, price: 0,
                targets: ["老年人"], abstract: "社区心血管健康咨询：测血压、看化验单、调药建议。", cancelled: false,
                bookings: [
                    PlannedBooking(0, by: 0, slot: 0, .done(result: "血压 138/86，较前好转，继续原方案，一个月后复查血脂。", patientRating: nil, doctorRating: nil)),
                    PlannedBooking(1, slot: 0, .waiting, "想复查一下上次的心电图结果。"),
                    PlannedBooking(6, slot: 1, .waiting, "上次没能来，想补看一下血压。"),
                    PlannedBooking(2, slot: 2, .cancelled, "想问问血脂的复查时间。"),
                ]),
            PlannedProject(
                doctor: 0, organisation: 0, day: 2, begin: 9 * 3600, end: 11 * 3600, capacity: 8, price: 20,
                targets: ["老年人", "慢性病患者"], abstract: "高血压门诊式义诊：随访复查、调整用药、讲解家庭血压测量。", cancelled: false,
                bookings: [
                    PlannedBooking(7, slot: 3, .cancelled, "头晕两天，想量量血压。"),
                    PlannedBooking(0, by: 0, slot: 0, .waiting),
                    PlannedBooking(1, by: 0, slot: 0, .waiting),
                    PlannedBooking(2, by: 0, slot: 1, .waiting),
                    PlannedBooking(6, slot: 1, .waiting, "血压控制不稳定，想调整用药。"),
                    PlannedBooking(5, slot: 2, .waiting, "出差到北京，顺便复查血压。"),
                    PlannedBooking(3, slot: 2, .waiting, "妈妈有高血压，帮她咨询用药。"),
                    PlannedBooking(4, slot: 3, .waiting, "冬天血压偏高，想咨询。"),
                ]),
            PlannedProject(
                doctor: 1, organisation: nil, day: 3, begin: 14 * 3600, end: 16 * 3600, capacity: 6, price: 0,
                targets: ["老年人", "失眠人群"], abstract: "银发健康关爱日：中医调理失眠与脾胃，名额有限。", cancelled: false,
                bookings: [
                    PlannedBooking(4, slot: 3, .rejected(Self.rejectionWrongClinic), "腰腿疼，晚上睡不好。"),
                    PlannedBooking(1, slot: 0, .waiting, "复诊，调整中药方子。"),
                    PlannedBooking(6, slot: 0, .waiting, "胃胀好些了，想再调理一下。"),
                    PlannedBooking(0, by: 0, slot: 1, .waiting),
                    PlannedBooking(2, by: 0, slot: 1, .waiting),
                    PlannedBooking(5, slot: 2, .waiting, "经常失眠多梦。"),
                    PlannedBooking(7, slot: 3, .waiting, "考试压力大，睡不好。"),
                ]),
            PlannedProject(
                doctor: 2, organisation: 2, day: 3, begin: 9 * 3600, end: 11 * 3600 + 1800, capacity: 6, price: 0,
                targets: ["老年人"], abstract: "银发健康关爱日（成都）：骨关节健康筛查与康复指导。", cancelled: false,
                bookings: [
                    PlannedBooking(3, by: 1, slot: 0, .waiting),
                    PlannedBooking(7, slot: 1, .waiting, "腰痛复查。"),
                ]),
            PlannedProject(
                doctor: 2, organisation: 2, day: 5, begin: 9 * 3600, end: 12 * 3600, capacity: 5, price: 30,
                targets: ["中老年人", "久坐上班族"], abstract: "腰椎间盘突出专题义诊，现场评估影像资料，押金就诊后退还。", cancelled: false,
                bookings: [
                    PlannedBooking(3, by: 1, slot: 0, .waiting),
                    PlannedBooking(4, by: 1, slot: 1, .waiting),
                    PlannedBooking(7, slot: 2, .waiting, "带了上次的核磁片子。"),
                    PlannedBooking(5, slot: 3, .waiting, "手腕好了，想看看颈椎。"),
                ]),
            PlannedProject(
                doctor: 0, organisation: nil, day: 9, begin: 14 * 3600, end: 17 * 3600, capacity: 12, price: 0,
                targets: ["老年人", "慢性病患者"], abstract: "心血管健康讲座与个体咨询，讲座后按预约时间段接诊。", cancelled: false,
                bookings: [
                    PlannedBooking(2, by: 0, slot: 0, .waiting),
                    PlannedBooking(6, slot: 2, .waiting, "想听讲座并咨询用药。"),
                ]),
            PlannedProject(
                doctor: 1, organisation: 1, day: 4, begin: 9 * 3600, end: 11 * 3600, capacity: 8, price: 10,
                targets: ["老年人"], abstract: "中医养生讲座与义诊（因医生临时出差已取消）。", cancelled: true,
                bookings: [
                    PlannedBooking(0, by: 0, slot: 0, .waiting),
                    PlannedBooking(4, slot: 1, .waiting, "想调理一下睡眠。"),
                ]),
        ]
    }

    // MARK: Writing

    private func at(_ day: Int, _ seconds: Int) -> Date {
        today.addingTimeInterval(TimeInterval(day * 86_400 + seconds))
    }

    private func stamp(_ day: Int, _ seconds: Int) -> String {
        APIClock.timestamp(at(day, seconds))
    }

    private static func hours(_ hours: Int, _ minutes: Int = 0) -> Int {
        hours * 3600 + minutes * 60
    }

    func build() throws {
        try SeedSupport.insertCities(db)
        let hospitals = try insertHospitals()
        let organisations = try insertOrganisations()
        let doctors = try insertDoctors(hospitals: hospitals, organisations: organisations)
        let patients = try insertPatients()
        let assistants = try insertAssistants(patients: patients)
        let projects = try insertProjects(doctors: doctors, hospitals: hospitals, organisations: organisations, patients: patients, assistants: assistants)
        try insertSpecialProject(projects: projects, organisations: organisations)
        try insertFollows(doctors: doctors, patients: patients, assistants: assistants)
        try insertChats(doctors: doctors, patients: patients)
        try insertMessages(doctors: doctors, patients: patients, assistants: assistants, projects: projects)
        try insertNewsAndBanners(hospitals: hospitals, organisations: organisations)
    }

    private func insertHospitals() throws -> [Int] {
        let hospitals: [(name: String, level: String, tag: String, county: Int, address: String)] = [
            ("北京朝阳康宁医院", "三甲医院", "心血管科", SeedSupport.chaoyang, "朝阳区东三环中路 27 号"),
            ("海淀仁心中医医院", "二甲医院", "中医内科", SeedSupport.haidian, "海淀区学院路 15 号"),
            ("成都锦康医院", "三甲医院", "骨科", SeedSupport.wuhou, "武侯区人民南路四段 9 号"),
            ("昆明春城社区卫生服务中心", "社区医院", "全科", SeedSupport.wuhua, "五华区青年路 102 号"),
        ]
        return try hospitals.enumerated().map { index, hospital in
            let county = SeedSupport.county(hospital.county)
            try db.execute(
                sql: """
                    INSERT INTO hospital (name, logo, banner, level, tag, province_id, city_id, county_id, addr)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    hospital.name, SeedSupport.image("hospital-\(index + 1)-logo.png"),
                    Presenter.listColumn([SeedSupport.image("hospital-\(index + 1)-banner-1.jpg"), SeedSupport.image("hospital-\(index + 1)-banner-2.jpg")]),
                    hospital.level, hospital.tag, county.provinceID, county.cityID, county.id, hospital.address,
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    private func insertOrganisations() throws -> [Int] {
        let organisations = [
            ("蓝天志愿医疗队", "由北京多家医院的医生组成的志愿医疗团队，常年深入社区开展免费义诊和健康讲座。"),
            ("银发健康关爱协会", "关注老年人慢病管理与健康教育的公益组织，每月组织一次银发健康关爱日。"),
            ("乡村义诊联盟", "组织城市医生定期到乡镇卫生院义诊、带教，让好医生走到家门口。"),
        ]
        return try organisations.enumerated().map { index, organisation in
            try db.execute(
                sql: "INSERT INTO org (name, logo, abstract) VALUES (?, ?, ?)",
                arguments: [organisation.0, SeedSupport.image("org-\(index + 1)-logo.png"), organisation.1])
            return Int(db.lastInsertedRowID)
        }
    }

    /// The columns every role's completed profile shares (`PUT /user`): sex and birthday come
    /// from the ID-card number, as the server derives them.
    private func insertPerson(_ person: Person, role: UserRole, sequence: Int, joinedDay: Int, extra: [String: (any DatabaseValueConvertible)?]) throws -> Int {
        let county = SeedSupport.county(person.county)
        let idno = SeedSupport.idCardNumber(area: person.county, birthday: person.birthday, sequence: sequence, male: person.male)
        var columns: [String: (any DatabaseValueConvertible)?] = [
            "type": role.rawValue, "phone": person.phone, "password_hash": passwordHash, "real_name": person.name,
            "avatars": SeedSupport.image("avatar-\(person.phone.suffix(2)).jpg"), "idno": idno,
            "sex": SeedSupport.sex(idno), "birthday": SeedSupport.birthday(idno),
            "province_id": county.provinceID, "city_id": county.cityID, "county_id": county.id, "addr": person.address,
            "created_at": stamp(joinedDay, Self.hours(10, sequence % 60)),
        ]
        columns.merge(extra) { $1 }
        let names = columns.keys.sorted()
        try db.execute(
            sql: "INSERT INTO user (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments(names.map { columns[$0] ?? nil }))
        return Int(db.lastInsertedRowID)
    }

    private func insertDoctors(hospitals: [Int], organisations: [Int]) throws -> [Int] {
        try Self.doctors.enumerated().map { index, doctor in
            let week = doctor.week.map { WorkDay(morning: $0.first == "1", afternoon: $0.last == "1") }
            let id = try insertPerson(
                doctor.person, role: .doctor, sequence: 11 + index * 2, joinedDay: -200 + index * 9,
                extra: [
                    "email": "doctor\(index + 1)@example.com", "hospital_id": hospitals[doctor.hospital], "departments": doctor.department,
                    "job_position": doctor.position, "good_at": doctor.goodAt, "abstract": doctor.abstract,
                    "work_photo": Presenter.listColumn([
                        SeedSupport.image("doctor-\(index + 1)-licence.jpg"), SeedSupport.image("doctor-\(index + 1)-badge.jpg"),
                    ]),
                    "work_time": SeedSupport.weekColumn(week),
                ])
            for organisation in doctor.organisations {
                // Applications are approved on receipt (`/org_add`), so every membership is verified.
                try db.execute(
                    sql: "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, \(MembershipStatus.approved.rawValue), ?)",
                    arguments: [organisations[organisation], id, stamp(-180 + organisation * 5, Self.hours(15, index))])
            }
            return id
        }
    }

    private func insertPatients() throws -> [Int] {
        try Self.patients.enumerated().map { index, patient in
            try insertPerson(
                patient.person, role: .patient, sequence: 31 + index * 2, joinedDay: -120 + index * 7,
                extra: [
                    "height": patient.height, "weight": patient.weight, "marital_status": patient.marital,
                    "drink_status": patient.drinks ? 1 : 0, "smoking_status": patient.smokes ? 1 : 0,
                ])
        }
    }

    private func insertAssistants(patients: [Int]) throws -> [Int] {
        try Self.assistants.enumerated().map { index, assistant in
            let id = try insertPerson(
                assistant.person, role: .assistant, sequence: 61 + index * 2, joinedDay: -150 + index * 11,
                extra: ["email": "helper\(index + 1)@example.com", "team_name": assistant.team])
            for (order, patient) in assistant.patients.enumerated() {
                try db.execute(
                    sql: "INSERT INTO assistant_patient (assistant_id, patient_id, created_at) VALUES (?, ?, ?)",
                    arguments: [id, patients[patient], stamp(-60 + order * 3, Self.hours(16, index * 10))])
            }
            return id
        }
    }

    /// A booked project's id and what the messages need to tell about it.
    struct WrittenProject {
        let id: Int
        let plan: PlannedProject
        let date: String
        /// Diagnosis ids, in the order of `plan.bookings`.
        let diagnoses: [Int]
    }

    private func insertProjects(doctors: [Int], hospitals: [Int], organisations: [Int], patients: [Int], assistants: [Int]) throws -> [WrittenProject] {
        try plannedProjects().map { plan in
            let day = plan.day ?? 0
            let date = APIClock.date(at(day, 0))
            let doctor = Self.doctors[plan.doctor]
            let county = SeedSupport.county(Self.doctors[plan.doctor].person.county)
            let hospitalAddress = try String.fetchOne(db, sql: "SELECT addr FROM hospital WHERE id = ?", arguments: [hospitals[doctor.hospital]]) ?? ""
            // Bookings are made on the three days before the project (or before today), so the
            // project was published a week before that.
            let firstBookingDay = min(day, 0) - 3
            try db.execute(
                sql: """
                    INSERT INTO project (doctor_id, hospital_id, org_id, date, begin, "end", people_count, lng, lat, addr,
                        service_target, abstract, price, status, slot_capacity, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(ProjectStatus.active.rawValue), ?, ?)
                    """,
                arguments: [
                    doctors[plan.doctor], hospitals[doctor.hospital], plan.organisation.map { organisations[$0] }, date,
                    SeedSupport.clock(plan.begin), SeedSupport.clock(plan.end), plan.capacity,
                    SeedSupport.coordinate(county.longitude), SeedSupport.coordinate(county.latitude), hospitalAddress + " 门诊楼一层义诊区",
                    Presenter.listColumn(plan.targets), plan.abstract, plan.price,
                    SlotPlan(begin: plan.begin, end: plan.end, places: plan.capacity).column,
                    stamp(firstBookingDay - 7, Self.hours(10, plan.doctor * 7)),
                ])
            let projectID = Int(db.lastInsertedRowID)
            let diagnoses = try book(plan, projectID: projectID, day: day, patients: patients, assistants: assistants)
            if plan.cancelled {
                // What `GET /project/{id}/cancel` does, the evening before.
                try Booking.cancelProject(db, projectID: projectID, now: at(-1, Self.hours(21, 30)))
            }
            return WrittenProject(id: projectID, plan: plan, date: date, diagnoses: diagnoses)
        }
    }

    /// Books the planned patients through `Booking`, at the moments they booked, then plays
    /// out what happened: cancellations and rejections before the project, visits during it,
    /// ratings after it.
    private func book(_ plan: PlannedProject, projectID: Int, day: Int, patients: [Int], assistants: [Int]) throws -> [Int] {
        let slots = SlotPlan(begin: plan.begin, end: plan.end, places: plan.capacity).slots
        var ids: [Int] = []
        for (index, booking) in plan.bookings.enumerated() {
            let bookingDay = min(day, 0) - 3 + min(2, index / 3)
            let joined = at(bookingDay, Self.hours(8 + index % 3 * 3, index * 7))
            let request = Booking.Request(
                projectID: projectID, patientID: patients[booking.patient], assistantID: booking.assistant.map { assistants[$0] } ?? 0,
                slot: slots[booking.slot].label, content: booking.content,
                photos: booking.content.isEmpty || index % 2 == 1 ? [] : [SeedSupport.image("casebook-\(projectID)-\(index + 1).jpg")])
            let id = try Booking.join(db, request, now: joined)
            ids.append(id)
            let later = at(bookingDay, Self.hours(20, index * 3))
            switch booking.outcome {
            case .cancelled: try Booking.end(db, diagnosisID: id, as: .cancelled, now: later)
            case .rejected(let reason): try Booking.end(db, diagnosisID: id, as: .rejected, reason: reason, now: later)
            case .waiting, .done, .noShow: break
            }
        }
        var seen = 0
        for (index, booking) in plan.bookings.enumerated() {
            let id = ids[index]
            switch booking.outcome {
            case .done(let result, let patientRating, let doctorRating):
                // Past projects: seen one after another from the start. Today's: a few minutes ago.
                let seenAt = plan.day == nil ? max(at(0, plan.begin), now.addingTimeInterval(-300)) : at(day, plan.begin + 900 * (seen + 1))
                seen += 1
                try Booking.markDone(db, diagnosisID: id, now: seenAt)
                let written = APIClock.timestamp(plan.day == nil ? min(now, seenAt.addingTimeInterval(120)) : seenAt.addingTimeInterval(300))
                try db.execute(
                    sql: "UPDATE diagnosis SET diag_result = ?, diag_photo = ?, updated_at = ? WHERE id = ?",
                    arguments: [result, Presenter.listColumn(index % 2 == 0 ? [SeedSupport.image("result-\(id).jpg")] : []), written, id])
                if let rating = patientRating {
                    let rated = stamp(day, plan.end)
                    try db.execute(
                        sql: """
                            UPDATE diagnosis SET patient_credit_score = ?, patient_punctuality_score = ?, doctor_comment_time = ?, updated_at = ?
                            WHERE id = ?
                            """,
                        arguments: [rating.credit, rating.punctuality, rated, rated, id])
                }
                if let rating = doctorRating {
                    let rated = stamp(day, Self.hours(21, index))
                    try db.execute(
                        sql: "UPDATE diagnosis SET doctor_score = ?, doctor_comment = ?, patient_comment_time = ?, updated_at = ? WHERE id = ?",
                        arguments: [rating.score, rating.comment, rated, rated, id])
                }
            case .noShow:
                // Nobody marks a no-show: it is what a waiting booking becomes when its project is
                // over. A deposit guarantees attendance, so a no-show's deposit is not refunded.
                try db.execute(
                    sql:
                        "UPDATE diagnosis SET status = \(VisitStatus.missed.rawValue), confirm_no_refund = CASE WHEN CAST(amount AS REAL) > 0 THEN 1 ELSE 0 END, updated_at = ? WHERE id = ?",
                    arguments: [stamp(day, plan.end + 1800), id])
            case .waiting, .cancelled, .rejected: break
            }
        }
        return ids
    }

    private func insertSpecialProject(projects: [WrittenProject], organisations: [Int]) throws {
        // The two projects of the silver-health day, in Beijing and Chengdu on the same date.
        let items = projects.filter { $0.plan.day == 3 }
        guard let first = items.first else { return }
        let county = SeedSupport.county(Self.doctors[first.plan.doctor].person.county)
        try db.execute(
            sql: """
                INSERT INTO special_project (hospital_id, org_id, date, begin, "end", people_count, lng, lat, addr, abstract, photo, price, service_target)
                VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """,
            arguments: [
                organisations[1], first.date, SeedSupport.clock(items.map(\.plan.begin).min() ?? 0),
                SeedSupport.clock(items.map(\.plan.end).max() ?? 0), items.map(\.plan.capacity).reduce(0, +),
                SeedSupport.coordinate(county.longitude), SeedSupport.coordinate(county.latitude), "北京海淀、成都武侯两地同步举行",
                "银发健康关爱日：北京、成都两地医生同日义诊，关注老年人睡眠、脾胃与骨关节健康。",
                SeedSupport.image("special-silver-day.jpg"), Presenter.listColumn(["老年人", "慢性病患者"]),
            ])
        let specialID = db.lastInsertedRowID
        for item in items {
            try db.execute(sql: "INSERT INTO special_project_item (special_project_id, project_id) VALUES (?, ?)", arguments: [specialID, item.id])
        }
    }

    private func insertFollows(doctors: [Int], patients: [Int], assistants: [Int]) throws {
        let follows: [(user: Int, doctor: Int, day: Int)] = [
            (patients[0], doctors[0], -40), (patients[0], doctors[1], -20), (patients[1], doctors[1], -25), (patients[1], doctors[0], -14),
            (patients[3], doctors[2], -10), (patients[4], doctors[2], -9), (patients[6], doctors[0], -6), (patients[7], doctors[2], -2),
            (assistants[0], doctors[0], -50), (assistants[0], doctors[1], -45), (assistants[1], doctors[2], -30),
        ]
        for (index, follow) in follows.enumerated() {
            try db.execute(
                sql: "INSERT INTO follow (user_id, doctor_id, created_at) VALUES (?, ?, ?)",
                arguments: [follow.user, follow.doctor, stamp(follow.day, Self.hours(19, index))])
        }
    }

    private func insertChats(doctors: [Int], patients: [Int]) throws {
        /// One chat message: in which dialog (index of `pairs`), from whom, when.
        struct Line {
            let dialog: Int
            let fromPatient: Bool
            let day: Int
            let time: Int
            let text: String
            var photo: String? = nil
            var unread = false
        }
        let pairs = [(patients[0], doctors[0]), (patients[1], doctors[1]), (patients[3], doctors[2]), (patients[6], doctors[0])]
        let lines = [
            Line(
                dialog: 0, fromPatient: true, day: -13, time: Self.hours(8, 10), text: "王医生您好，上次义诊后我按时吃药，早上血压还是 145/90 左右，需要加药吗？",
                photo: SeedSupport.image("chat-bp-record.jpg")),
            Line(dialog: 0, fromPatient: false, day: -13, time: Self.hours(12, 30), text: "赵大爷您好，先不要自行加药。连续记录一周早晚血压，下次义诊带过来我看看。"),
            Line(dialog: 3, fromPatient: true, day: -6, time: Self.hours(16, 0), text: "王医生，上次那场义诊我临时有事没去成，还能再约吗？"),
            Line(dialog: 3, fromPatient: false, day: -6, time: Self.hours(18, 5), text: "可以的，直接在小程序上约下一场就行，记得按时来。"),
            Line(dialog: 1, fromPatient: true, day: -5, time: Self.hours(21, 0), text: "李医生，中药喝了一周，睡眠好一些了，但胃有点胀。"),
            Line(dialog: 1, fromPatient: false, day: -4, time: Self.hours(9, 15), text: "可以饭后半小时再服，晚饭少吃一点。下次复诊时再调整方子。", unread: true),
            Line(dialog: 1, fromPatient: false, day: -4, time: Self.hours(9, 16), text: "另外睡前别看手机，可以用热水泡泡脚。", unread: true),
            Line(dialog: 3, fromPatient: true, day: -3, time: Self.hours(20, 40), text: "好的，已经约了后天那场，到时候见。", unread: true),
            Line(dialog: 0, fromPatient: true, day: -2, time: Self.hours(19, 5), text: "我约了这周的义诊，血压记录也整理好了。"),
            Line(dialog: 2, fromPatient: true, day: -2, time: Self.hours(18, 0), text: "张医生，做了您教的颈椎操，脖子轻松多了。"),
            Line(dialog: 2, fromPatient: false, day: -2, time: Self.hours(20, 0), text: "很好，坚持每天两次，避免长时间低头看手机。"),
            Line(dialog: 0, fromPatient: false, day: -1, time: Self.hours(8, 40), text: "看到您的挂号了，记得带上血压记录和以前的化验单。"),
            Line(dialog: 2, fromPatient: true, day: -1, time: Self.hours(10, 0), text: "好的，谢谢张医生！"),
            Line(dialog: 0, fromPatient: true, day: -1, time: Self.hours(9, 2), text: "收到，谢谢王医生！", unread: true),
        ]
        var dialogs: [Int] = []
        for (patient, doctor) in pairs {
            try db.execute(sql: "INSERT INTO chat_dialog (patient_user_id, doctor_user_id) VALUES (?, ?)", arguments: [patient, doctor])
            dialogs.append(Int(db.lastInsertedRowID))
        }
        // Message ids grow with time, as `/chat` orders dialogs by their last message.
        for line in lines.sorted(by: { ($0.day, $0.time) < ($1.day, $1.time) }) {
            let (patient, doctor) = pairs[line.dialog]
            try db.execute(
                sql:
                    "INSERT INTO chat_message (dialog_id, type, from_user_id, to_user_id, content, photo, is_read, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    dialogs[line.dialog], line.fromPatient ? UserRole.patient.rawValue : UserRole.doctor.rawValue,
                    line.fromPatient ? patient : doctor, line.fromPatient ? doctor : patient, line.text,
                    Presenter.listColumn(line.photo.map { [$0] } ?? []), line.unread ? 0 : 1, stamp(line.day, line.time),
                ])
            try db.execute(sql: "UPDATE chat_dialog SET last_msg_id = ? WHERE id = ?", arguments: [db.lastInsertedRowID, dialogs[line.dialog]])
        }
    }

    private func insertMessages(doctors: [Int], patients: [Int], assistants: [Int], projects: [WrittenProject]) throws {
        let sender = "志愿医生平台"
        let avatar = SeedSupport.image("platform-logo.png")
        var messages: [(to: Int?, title: String, content: String, time: String)] = [
            (nil, "欢迎使用志愿医生", "志愿医生连接志愿者医生与需要帮助的患者。义诊免费或只收可退押金，按时就诊后押金原路退回。", stamp(-30, Self.hours(9))),
            (nil, "银发健康关爱日开始报名", "本周银发健康关爱日将在北京、成都两地同时举行，欢迎老年朋友预约。", stamp(-6, Self.hours(10))),
        ]
        let doctorName = { (project: WrittenProject) in Self.doctors[project.plan.doctor].person.name }
        for project in projects {
            for (index, booking) in project.plan.bookings.enumerated() {
                let patient = patients[booking.patient]
                let diagnosis = try Row.fetchOne(
                    db, sql: "SELECT created_at, updated_at, reject_msg, verify_status FROM diagnosis WHERE id = ?", arguments: [project.diagnoses[index]])
                guard let diagnosis else { continue }
                let created: String = diagnosis["created_at"]
                let updated: String = diagnosis["updated_at"]
                switch booking.outcome {
                case .rejected(let reason):
                    messages.append((patient, "挂号未通过", "您预约的 \(project.date) \(doctorName(project))医生的义诊未通过，原因：\(reason)。如已交押金，将原路退回。", updated))
                case .waiting where project.plan.cancelled:
                    messages.append((patient, "义诊已取消", "很抱歉，\(doctorName(project))医生取消了 \(project.date) 的义诊，如已交押金，将原路退回。", updated))
                case .waiting where (project.plan.day ?? 0) > 0:
                    messages.append((patient, "挂号成功", "您已成功预约 \(project.date) \(doctorName(project))医生的义诊，请按预约时间段到场。", created))
                    if let assistant = booking.assistant {
                        messages.append(
                            (
                                assistants[assistant], "协助挂号成功",
                                "您为 \(Self.patients[booking.patient].person.name) 预约的 \(project.date) \(doctorName(project))医生的义诊已挂号成功。", created
                            ))
                    }
                default: break
                }
            }
        }
        messages.append((doctors[0], "新的挂号", "您后天的义诊已有 7 位患者挂号，名额即将约满。", stamp(-1, Self.hours(18))))
        messages.append((doctors[2], "义诊提醒", "您本周的两场义诊已开放预约，请留意患者的病例描述。", stamp(-2, Self.hours(9))))
        for message in messages.sorted(by: { $0.time < $1.time }) {
            try db.execute(
                sql: "INSERT INTO message (type, to_user_id, title, content, publish_time, username, avatars) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [message.to == nil ? 0 : 1, message.to, message.title, message.content, message.time, sender, avatar])
        }
    }

    private func insertNewsAndBanners(hospitals: [Int], organisations: [Int]) throws {
        let news: [(type: Int, title: String, content: String, day: Int)] = [
            (1, "冬季心脑血管疾病预防小知识", "<p>天气转冷，血管收缩，血压容易波动。请注意保暖、规律服药、每天测量血压。</p>", -20),
            (1, "义诊挂号须知：押金与退款说明", "<p>部分义诊收取少量押金，按时就诊、医生确认后原路退回；取消或被拒绝的挂号也会退款，一般一天内到账。</p>", -4),
            (2, "志愿医生出诊规范", "<p>请在义诊开始前核对预约患者的病例描述，就诊后及时确认就诊并填写诊断结果。</p>", -25),
            (2, "如何在义诊中做好慢病随访", "<p>建议为每位慢病患者记录关键指标，并在下次义诊时对比。</p>", -8),
            (3, "医助协助挂号操作指南", "<p>绑定患者后，可在义诊详情页选择时间段为患者挂号，并可随时代为取消。</p>", -35),
            (3, "医助志愿服务时长认定办法", "<p>每协助一位患者完成就诊，计志愿服务时长半小时。</p>", -3),
        ]
        for (index, item) in news.enumerated() {
            try db.execute(
                sql: "INSERT INTO news (type, title, photo, content, publish_time) VALUES (?, ?, ?, ?, ?)",
                arguments: [item.type, item.title, SeedSupport.image("news-\(index + 1).jpg"), item.content, stamp(item.day, Self.hours(9, index))])
        }
        let banners: [(audience: Int, hospital: Int?, organisation: Int?, title: String, href: String?)] = [
            (1, nil, nil, "社区义诊周，免费看专家", "https://static.example.com/vdapi/demo/events/clinic-week.html"),
            (1, nil, nil, "关注老年人慢病管理", nil),
            (1, 0, nil, "康宁医院心血管专家义诊", nil),
            (1, nil, 1, "银发健康关爱日", "https://static.example.com/vdapi/demo/events/silver-day.html"),
            (3, nil, nil, "招募社区医助志愿者", "https://static.example.com/vdapi/demo/events/helpers.html"),
            (3, nil, nil, "医助培训课程上线", nil),
        ]
        for (index, banner) in banners.enumerated() {
            try db.execute(
                sql: "INSERT INTO banner (audience, hospital_id, org_id, title, photo, jump_mode, jump_id, href) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                arguments: [
                    banner.audience, banner.hospital.map { hospitals[$0] }, banner.organisation.map { organisations[$0] }, banner.title,
                    SeedSupport.image("banner-\(index + 1).jpg"), banner.href == nil ? 0 : 1, banner.href ?? "",
                ])
        }
    }
}

// MARK: - What both seeds share

/// Reference data and row rules shared by the `demo` and `scale` seeds: the region tree, ID-card
/// numbers, slots as `POST /project` cuts them, order serials, and the summary's table counts.
enum SeedSupport {
    /// Why a seed refused to run.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The rows of one table, for the summary and tests.
    struct TableCount: Sendable, Hashable {
        let table: String
        let rows: Int
    }

    /// Every table a seed writes, in the order the summary lists them.
    static let tables = [
        "city", "hospital", "org", "user", "org_member", "project", "casebook", "diagnosis", "follow", "assistant_patient",
        "chat_dialog", "chat_message", "message", "news", "banner", "special_project", "special_project_item",
    ]

    /// Seeds fill an empty database: their ids and accounts would clash with existing rows.
    static func requireEmpty(_ db: Database) throws {
        for table in tables {
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            guard rows == 0 else { throw Failure(description: "seed: the database already holds data (table \(table)); seeds fill an empty database") }
        }
    }

    static func counts(_ db: Database) throws -> [TableCount] {
        try tables.map { TableCount(table: $0, rows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0.quotedDatabaseIdentifier)") ?? 0) }
    }

    static func describe(_ counts: [TableCount]) -> String {
        counts.map { "\($0.table) \($0.rows)" }.joined(separator: ", ")
    }

    /// The address to reach the API from this machine.
    static func baseURL(_ configuration: ReferenceServerConfiguration) -> String {
        let host = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(configuration.port)"
    }

    /// Seeded pictures live on a reserved example domain: they are placeholders, not files.
    static func image(_ name: String) -> String {
        "https://static.example.com/vdapi/\(name)"
    }

    // MARK: Regions

    /// A district with its city, province and a point near its centre.
    struct County {
        let id: Int
        let cityID: Int
        let provinceID: Int
        let name: String
        let longitude: Double
        let latitude: Double
    }

    static let chaoyang = 111_010
    static let haidian = 111_020
    static let wuhou = 511_010
    static let jinjiang = 511_020
    static let wuhua = 531_010
    static let panlong = 531_020
    static let tianhe = 441_010
    static let yuexiu = 441_020

    /// Provinces, cities and districts with the document's id scheme (110000 北京, 111000
    /// 北京市, 111010 朝阳区): not the national codes, so ID-card numbers built on them are
    /// visibly fictional.
    static let provinces: [(id: Int, name: String, shortName: String, pinyin: String, city: (id: Int, name: String, shortName: String, pinyin: String))] = [
        (110_000, "北京", "北京", "beijing", (111_000, "北京市", "北京", "beijingshi")),
        (510_000, "四川省", "四川", "sichuan", (511_000, "成都市", "成都", "chengdu")),
        (530_000, "云南省", "云南", "yunnan", (531_000, "昆明市", "昆明", "kunming")),
        (440_000, "广东省", "广东", "guangdong", (441_000, "广州市", "广州", "guangzhou")),
    ]

    static let counties: [(county: County, pinyin: String)] = [
        (County(id: chaoyang, cityID: 111_000, provinceID: 110_000, name: "朝阳区", longitude: 116.443_1, latitude: 39.921_5), "chaoyang"),
        (County(id: haidian, cityID: 111_000, provinceID: 110_000, name: "海淀区", longitude: 116.298_1, latitude: 39.959_9), "haidian"),
        (County(id: wuhou, cityID: 511_000, provinceID: 510_000, name: "武侯区", longitude: 104.043_2, latitude: 30.642_3), "wuhou"),
        (County(id: jinjiang, cityID: 511_000, provinceID: 510_000, name: "锦江区", longitude: 104.083_4, latitude: 30.656_2), "jinjiang"),
        (County(id: wuhua, cityID: 531_000, provinceID: 530_000, name: "五华区", longitude: 102.704_1, latitude: 25.043_5), "wuhua"),
        (County(id: panlong, cityID: 531_000, provinceID: 530_000, name: "盘龙区", longitude: 102.751_9, latitude: 25.116_4), "panlong"),
        (County(id: tianhe, cityID: 441_000, provinceID: 440_000, name: "天河区", longitude: 113.361_2, latitude: 23.124_7), "tianhe"),
        (County(id: yuexiu, cityID: 441_000, provinceID: 440_000, name: "越秀区", longitude: 113.266_8, latitude: 23.128_9), "yuexiu"),
    ]

    static func county(_ id: Int) -> County {
        counties.first { $0.county.id == id }?.county ?? counties[0].county
    }

    static func insertCities(_ db: Database) throws {
        let insert = try db.makeStatement(sql: "INSERT INTO city (id, parent_id, name, short_name, pinyin, sort) VALUES (?, ?, ?, ?, ?, ?)")
        for (order, province) in provinces.enumerated() {
            try insert.execute(arguments: [province.id, 0, province.name, province.shortName, province.pinyin, order + 1])
            try insert.execute(arguments: [province.city.id, province.id, province.city.name, province.city.shortName, province.city.pinyin, 1])
            for (sort, entry) in counties.filter({ $0.county.cityID == province.city.id }).enumerated() {
                try insert.execute(arguments: [entry.county.id, entry.county.cityID, entry.county.name, entry.county.name, entry.pinyin, sort + 1])
            }
        }
    }

    // MARK: People

    private static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let idCheckCharacters = Array("10X98765432")

    /// An 18-character ID-card number with a correct check character: the area is a seeded
    /// district id (not a national code), then the birthday and a sequence whose last digit is
    /// odd for men and even for women, as real numbers encode sex.
    static func idCardNumber(area: Int, birthday: String, sequence: Int, male: Bool) -> String {
        let order = sequence % 500 * 2 + (male ? 1 : 0)
        let body = padded(area % 1_000_000, 6) + birthday.replacingOccurrences(of: "-", with: "") + padded(order % 1000, 3)
        let sum = zip(body, idWeights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 0) * $1.1 }
        return body + String(idCheckCharacters[sum % 11])
    }

    /// Sex from an 18-digit ID-card number (1 male, 2 female), as `PUT /user` derives it.
    static func sex(_ idno: String) -> Int {
        let digits = Array(idno)
        guard digits.count == 18 else { return 1 }
        return (digits[16].wholeNumberValue ?? 1) % 2 == 1 ? 1 : 2
    }

    /// Birthday from an 18-digit ID-card number, as `PUT /user` derives it.
    static func birthday(_ idno: String) -> String {
        let digits = Array(idno)
        guard digits.count == 18 else { return "" }
        return "\(String(digits[6..<10]))-\(String(digits[10..<12]))-\(String(digits[12..<14]))"
    }

    /// The `work_time` column as the document writes it (`[{"morning":1,"afternoon":0},...]`),
    /// built by hand: `JSONEncoder` does not promise an order of keys, and the scale world must
    /// be the same row for row.
    static func weekColumn(_ week: [WorkDay]) -> String {
        "[" + week.map { #"{"morning":\#($0.morning ? 1 : 0),"afternoon":\#($0.afternoon ? 1 : 0)}"# }.joined(separator: ",") + "]"
    }

    // MARK: Projects

    /// `HH:mm:ss` of seconds since midnight.
    static func clock(_ seconds: Int) -> String {
        padded(seconds / 3600, 2) + ":" + padded(seconds / 60 % 60, 2) + ":" + padded(seconds % 60, 2)
    }

    /// A non-negative number with leading zeros to `width` digits (`String(format:)` is slow
    /// for the scale seed's hundreds of thousands of rows).
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A coordinate as the API writes it: text with six decimals.
    static func coordinate(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

}
